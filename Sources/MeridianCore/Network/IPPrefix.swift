/// A CIDR prefix such as `10.34.0.0/16` or `2001:db8::/32`, with no host bits set.
public struct IPPrefix: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The first address of the prefix.
    public let address: IPAddress
    /// The number of leading bits that are fixed.
    public let length: Int

    /// Why a text is not a prefix, worded for a person who wrote it.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notAPrefix(String)
        case lengthOutOfRange(String, maximum: Int)
        case hostBitsSet(String, suggestion: String)

        public var description: String {
            switch self {
            case .notAPrefix(let text):
                "'\(text)' is not a CIDR prefix (expected ADDRESS/LENGTH such as 10.0.0.0/8 or 2001:db8::/32)"
            case .lengthOutOfRange(let text, let maximum):
                "'\(text)': prefix length must be 0 to \(maximum)"
            case .hostBitsSet(let text, let suggestion):
                "'\(text)' has host bits set (did you mean \(suggestion)?)"
            }
        }
    }

    /// Creates a prefix, clearing any host bits of `address`.
    public init(masking address: IPAddress, length: Int) {
        self.length = length
        switch address {
        case .v4(let bits): self.address = .v4(length == 0 ? 0 : bits & ~(UInt32.max >> length))
        case .v6(let bits): self.address = .v6(length == 0 ? 0 : bits & ~(UInt128.max >> length))
        }
    }

    /// Parses `ADDRESS/LENGTH` strictly: host bits must be zero. A bare address is a host prefix.
    public static func parse(_ text: String) -> Result<IPPrefix, ParseError> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return .failure(.notAPrefix(text)) }
        let maximum = address.family.bitWidth
        var length = maximum
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit), parts[1].count <= 3,
                  let parsed = Int(parts[1]) else { return .failure(.notAPrefix(text)) }
            guard parsed <= maximum else { return .failure(.lengthOutOfRange(text, maximum: maximum)) }
            length = parsed
        }
        let prefix = IPPrefix(masking: address, length: length)
        guard prefix.address == address else { return .failure(.hostBitsSet(text, suggestion: prefix.description)) }
        return .success(prefix)
    }

    /// Whether `other` lies inside this prefix.
    public func contains(_ other: IPAddress) -> Bool {
        IPPrefix(masking: other.unmappedIfV4Prefix(self), length: length) == self
    }

    public var description: String { "\(address)/\(length)" }

    public static func < (lhs: IPPrefix, rhs: IPPrefix) -> Bool {
        (lhs.address, lhs.length) < (rhs.address, rhs.length)
    }
}

extension IPAddress {
    /// Maps `::ffff:a.b.c.d` to IPv4 when compared against an IPv4 prefix.
    fileprivate func unmappedIfV4Prefix(_ prefix: IPPrefix) -> IPAddress {
        prefix.address.family == .v4 ? unmapped : self
    }
}
