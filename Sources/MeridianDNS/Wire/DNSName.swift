/// A domain name as DNS carries it: labels of 1 to 63 bytes, 255 bytes in all on the wire.
///
/// The labels keep the letter case they arrived with (a response echoes the question exactly);
/// equality, hashing and `isWithin` ignore ASCII case, as DNS does.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    /// The labels from left to right; the root has none.
    public let labels: [[UInt8]]

    public static let root = DNSName(uncheckedLabels: [])

    init(uncheckedLabels labels: [[UInt8]]) {
        self.labels = labels
    }

    /// Checks label and name lengths; `nil` when they are out of bounds.
    public init?(labels: [[UInt8]]) {
        guard labels.allSatisfy({ (1...63).contains($0.count) }),
              labels.reduce(1, { $0 + $1.count + 1 }) <= 255 else { return nil }
        self.labels = labels
    }

    /// Parses a name in presentation form (`api.example.test`, with or without the final dot).
    public init?(_ text: String) {
        if text == "." {
            self = .root
            return
        }
        var trimmed = Substring(text)
        if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty else { return nil }
        self.init(labels: trimmed.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) })
    }

    /// The length of the name on the wire, uncompressed.
    public var wireLength: Int { labels.reduce(1) { $0 + $1.count + 1 } }

    /// The wire form with ASCII letters lower-cased: the key names are compared by.
    public var key: [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(wireLength)
        for label in labels {
            key.append(UInt8(label.count))
            for byte in label { key.append(byte.asciiLowercased) }
        }
        key.append(0)
        return key
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        lhs.labels.count == rhs.labels.count && zip(lhs.labels, rhs.labels).allSatisfy { equalIgnoringCase($0, $1) }
    }

    public func hash(into hasher: inout Hasher) {
        for label in labels {
            hasher.combine(label.count)
            for byte in label { hasher.combine(byte.asciiLowercased) }
        }
    }

    /// Whether this name is `ancestor` or lies below it.
    public func isWithin(_ ancestor: DNSName) -> Bool {
        guard labels.count >= ancestor.labels.count else { return false }
        return zip(labels.suffix(ancestor.labels.count), ancestor.labels).allSatisfy { DNSName.equalIgnoringCase($0, $1) }
    }

    /// `label` prepended to this name; `nil` if that breaks a length limit.
    public func prepending(_ label: String) -> DNSName? {
        DNSName(labels: [Array(label.utf8)] + labels)
    }

    /// Presentation form with the final dot; bytes outside printable ASCII, dots and backslashes escaped.
    public var description: String {
        guard !labels.isEmpty else { return "." }
        var text = ""
        for label in labels {
            for byte in label {
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""):
                    text += "\\" + String(UnicodeScalar(byte))
                case 0x21...0x7E:
                    text.unicodeScalars.append(UnicodeScalar(byte))
                default:
                    let digits = String(byte)
                    text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            text += "."
        }
        return text
    }

    static func equalIgnoringCase(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
    }
}

extension UInt8 {
    var asciiLowercased: UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) ? self | 0x20 : self
    }
}
