/// A fully qualified domain name in presentation form, lower-cased, without the trailing dot.
///
/// Each label is 1-63 letters, digits, hyphens or underscores and the whole name is at most 253
/// characters, so it always fits the DNS wire format.
public struct DomainName: Hashable, Comparable, Sendable, TextCoded {
    public let text: String

    /// Validates and lower-cases `text`; a single trailing dot is accepted. `nil` when not a valid name.
    public init?(_ text: String) {
        var name = text.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty, name.utf8.count <= 253 else { return nil }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                  label.utf8.allSatisfy({ $0.isLabelByte }) else { return nil }
        }
        self.text = name
    }

    /// `relative` placed under this name (`api` under `example.test` is `api.example.test`).
    public func prepending(_ relative: String) -> DomainName? {
        DomainName(relative + "." + text)
    }

    /// Whether this name is `ancestor` or lies below it.
    public func isWithin(_ ancestor: DomainName) -> Bool {
        text == ancestor.text || text.hasSuffix("." + ancestor.text)
    }

    public var description: String { text }

    public static func < (lhs: DomainName, rhs: DomainName) -> Bool { lhs.text < rhs.text }
}

extension UInt8 {
    fileprivate var isLabelByte: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || self == UInt8(ascii: "-") || self == UInt8(ascii: "_")
    }
}
