/// A value written as text in configuration and JSON, and parsed back strictly: its `Codable` form
/// is its `description`, and decoding text that does not parse is an error.
public protocol TextCoded: LosslessStringConvertible, Codable {}

extension TextCoded {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid \(Self.self) '\(text)'")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
