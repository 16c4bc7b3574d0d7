import Foundation

/// Where a gateway's probe answer says how loaded the gateway is (`probe.load`), and in what unit:
/// `header X-Gateway-Load` or `json /stats/rps`, optionally followed by `rate` (requests per second,
/// the unit of regions' `capacity`; the default) or `utilization` (0-1 of the gateway's share of
/// its site's capacity).
public struct LoadReading: Hashable, Sendable {
    public enum Source: Hashable, Sendable {
        /// A response header, its name lower-cased.
        case header(String)
        /// An RFC 6901 JSON pointer into the response body, as its reference tokens.
        case json(pointer: [String])
    }

    public enum Unit: String, Hashable, Sendable, Codable {
        case rate, utilization
    }

    public var source: Source
    public var unit: Unit

    /// The largest load a gateway may report: a rate of a billion requests per second, or a
    /// utilization of 1,000 (a gateway ten thousand times over). Larger values are no reading.
    public static let largestRate = 1e9
    public static let largestUtilization = 1e3

    public init(source: Source, unit: Unit = .rate) {
        self.source = source
        self.unit = unit
    }

    /// Reads `header NAME [rate|utilization]` or `json /POINTER [rate|utilization]`; `nil` when the
    /// text is neither.
    public init?(_ text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count == 2 || words.count == 3 else { return nil }
        let unit = words.count == 3 ? Unit(rawValue: words[2]) : .rate
        guard let unit else { return nil }
        switch words[0] {
        case "header":
            guard words[1].utf8.allSatisfy(\.isHTTPTokenByte), words[1].utf8.count <= 64 else { return nil }
            self.init(source: .header(words[1].lowercased()), unit: unit)
        case "json":
            guard let pointer = Self.pointer(words[1]) else { return nil }
            self.init(source: .json(pointer: pointer), unit: unit)
        default:
            return nil
        }
    }

    /// The reading as the configuration writes it.
    public var text: String {
        let place = switch source {
        case .header(let name): "header \(name)"
        case .json(let pointer): "json " + pointer.map { "/" + $0.replacingOccurrences(of: "~", with: "~0")
            .replacingOccurrences(of: "/", with: "~1") }.joined()
        }
        return unit == .rate ? place : "\(place) \(unit.rawValue)"
    }

    /// Whether the probe must keep the start of the body to take the reading.
    public var readsBody: Bool {
        if case .json = source { return true }
        return false
    }

    /// A header value's load: a plain decimal number within bounds, else `nil`.
    public func value(ofHeader text: Substring) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 32,
              trimmed.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == UInt8(ascii: ".") }),
              let number = Double(trimmed) else { return nil }
        return checked(number)
    }

    /// The load at the pointer in a JSON body (a number, or a string holding one), else `nil`.
    public func value(ofBody body: [UInt8]) -> Double? {
        guard case .json(let pointer) = source,
              var node = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else { return nil }
        for token in pointer {
            if let object = node as? [String: Any], let next = object[token] {
                node = next
            } else if let array = node as? [Any], let index = Int(token), token == String(index), array.indices.contains(index) {
                node = array[index]
            } else {
                return nil
            }
        }
        if let text = node as? String { return value(ofHeader: Substring(text)) }
        // JSON's true and false come as NSNumbers of their own class: they are no load.
        guard let number = node as? NSNumber,
              ObjectIdentifier(type(of: number)) != ObjectIdentifier(type(of: NSNumber(value: true))) else { return nil }
        return checked(number.doubleValue)
    }

    private func checked(_ number: Double) -> Double? {
        let largest = unit == .rate ? Self.largestRate : Self.largestUtilization
        return number.isFinite && number >= 0 && number <= largest ? number : nil
    }

    /// RFC 6901: `""` is the whole document, else `/`-separated tokens with `~1` for `/` and `~0` for `~`.
    private static func pointer(_ text: String) -> [String]? {
        guard text.hasPrefix("/"), text.utf8.count <= 256 else { return nil }
        var tokens: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var index = raw.startIndex
            while index < raw.endIndex {
                let character = raw[index]
                if character == "~" {
                    let next = raw.index(after: index)
                    guard next < raw.endIndex, raw[next] == "0" || raw[next] == "1" else { return nil }
                    token.append(raw[next] == "0" ? "~" : "/")
                    index = raw.index(after: next)
                } else {
                    token.append(character)
                    index = raw.index(after: index)
                }
            }
            tokens.append(token)
        }
        return tokens
    }
}

extension UInt8 {
    /// RFC 9110 `tchar`, the bytes of a header name (and of any HTTP token).
    public var isHTTPTokenByte: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(self)
        }
    }
}
