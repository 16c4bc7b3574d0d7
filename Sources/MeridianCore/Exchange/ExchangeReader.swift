/// Reads what `ExchangeWriter` writes, from bytes a peer sent: every read checks what remains and
/// throws instead of trapping, and no read allocates more than the input holds.
struct ExchangeReader {
    private let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], from offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func byte() throws(ExchangeDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A LEB128 varint of at most ten bytes that fits in 64 bits.
    mutating func varint() throws(ExchangeDecodingError) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<10 {
            let next = try byte()
            let payload = UInt64(next & 0x7F)
            if index == 9, next > 1 { throw .badVarint }
            value |= payload << UInt64(7 * index)
            if next & 0x80 == 0 { return value }
        }
        throw .badVarint
    }

    /// A varint that is at most `limit`, as an `Int`.
    mutating func count(atMost limit: Int) throws(ExchangeDecodingError) -> Int {
        let value = try varint()
        guard value <= UInt64(max(limit, 0)) else { throw .tooLarge }
        return Int(value)
    }

    mutating func time() throws(ExchangeDecodingError) -> Timestamp {
        let value = try varint()
        let decoded = Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
        return Timestamp(nanosecondsSinceEpoch: decoded)
    }

    mutating func fixed64() throws(ExchangeDecodingError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
        offset += 8
        return value
    }

    mutating func raw(_ count: Int) throws(ExchangeDecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// A name as `ExchangeWriter.name` writes it, checked against the name rules.
    mutating func name<Kind>() throws(ExchangeDecodingError) -> Name<Kind> {
        let length = Int(try byte())
        guard (1...63).contains(length) else { throw .badName }
        let utf8 = try raw(length)
        guard let text = String(validating: utf8, as: UTF8.self), let name = Name<Kind>(text) else { throw .badName }
        return name
    }

    /// Text as `ExchangeWriter.text` writes it, at most `longest` bytes of valid UTF-8.
    mutating func text(longest: Int) throws(ExchangeDecodingError) -> String {
        let length = try count(atMost: longest)
        guard let text = String(validating: try raw(length), as: UTF8.self) else { throw .badText }
        return text
    }

    /// The rest of the input.
    mutating func rest() -> ArraySlice<UInt8> {
        defer { offset = bytes.count }
        return bytes[offset...]
    }
}

/// Why bytes are not an exchange frame.
public enum ExchangeDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ends inside a value.
    case truncated
    /// A version other than 3: another encoding (the JSON reports are version 2).
    case unsupportedVersion(UInt8)
    /// Flags or a kind, tag, verdict or action this version does not define.
    case badTag
    case badVarint
    case badName
    case badText
    /// A count, length or value over what the input or the configuration allows.
    case tooLarge
    /// A compressed payload that does not inflate to exactly its declared length.
    case badCompression
    /// Bytes left after the frame.
    case trailingBytes
    /// A value out of its range (a delta that ends before it starts, a removal in a snapshot).
    case badValue

    public var description: String {
        switch self {
        case .truncated: "truncated"
        case .unsupportedVersion(let version): "unsupported encoding version \(version)"
        case .badTag: "an undefined flag, kind or tag"
        case .badVarint: "a malformed varint"
        case .badName: "a name that breaks the name rules"
        case .badText: "text that is not valid UTF-8"
        case .tooLarge: "a count or length over the limits"
        case .badCompression: "a compressed payload that does not inflate to its declared length"
        case .trailingBytes: "bytes after the frame"
        case .badValue: "a value out of its range"
        }
    }
}
