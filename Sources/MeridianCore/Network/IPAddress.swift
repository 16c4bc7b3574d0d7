/// An IPv4 or IPv6 address, parsed strictly from its textual form.
///
/// IPv4 addresses are dotted quads without leading zeros; IPv6 addresses follow RFC 4291 (with `::`
/// compression and an optional trailing dotted quad) and print in the RFC 5952 canonical form.
/// Zone identifiers (`%eth0`) are not addresses a client can have and are rejected.
public enum IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt128)

    /// The address family of this address.
    public var family: AddressFamily {
        switch self {
        case .v4: .v4
        case .v6: .v6
        }
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address it stands for; any other
    /// address unchanged.
    public var unmapped: IPAddress {
        if case .v6(let bits) = self, bits >> 32 == 0xffff {
            return .v4(UInt32(truncatingIfNeeded: bits))
        }
        return self
    }

    /// Whether this is a loopback address (127.0.0.0/8, `::1`, or `::ffff:127.x.y.z`).
    public var isLoopback: Bool {
        switch unmapped {
        case .v4(let bits): bits >> 24 == 127
        case .v6(let bits): bits == 1
        }
    }

    /// Parses an IPv4 or IPv6 address; `nil` when `text` is not exactly one address.
    public init?(_ text: some StringProtocol) {
        let text = Substring(text)
        if text.contains(":") {
            guard let bits = IPAddress.parseIPv6(text) else { return nil }
            self = .v6(bits)
        } else {
            guard let bits = IPAddress.parseIPv4(text) else { return nil }
            self = .v4(bits)
        }
    }

    public var description: String {
        switch self {
        case .v4(let bits): IPAddress.formatIPv4(bits)
        case .v6(let bits): IPAddress.formatIPv6(bits)
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): a < b
        case (.v6(let a), .v6(let b)): a < b
        case (.v4, .v6): true
        case (.v6, .v4): false
        }
    }
}

/// The two IP address families.
public enum AddressFamily: String, Sendable, Hashable, Codable, CaseIterable {
    case v4 = "ipv4"
    case v6 = "ipv6"

    /// The number of bits in an address of this family.
    public var bitWidth: Int { self == .v4 ? 32 : 128 }
}

extension IPAddress {
    static func parseIPv4(_ text: Substring) -> UInt32? {
        var result: UInt32 = 0
        var octets = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard octets < 4, (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit) else { return nil }
            if part.count > 1 && part.first == "0" { return nil }
            guard let value = UInt32(part), value <= 255 else { return nil }
            result = result << 8 | value
            octets += 1
        }
        return octets == 4 ? result : nil
    }

    static func parseIPv6(_ text: Substring) -> UInt128? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        switch halves.count {
        case 1:
            guard let groups = parseGroups(halves[0]) else { return nil }
            head = groups
        case 2:
            sawGap = true
            guard let first = parseGroups(halves[0]), let second = parseGroups(halves[1]) else { return nil }
            head = first
            tail = second
        default:
            return nil
        }
        let count = head.count + tail.count
        if sawGap ? count > 7 : count != 8 { return nil }
        let groups = head + Array(repeating: 0, count: 8 - count) + tail
        return groups.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    /// Parses colon-separated hex groups, the last of which may be a dotted quad (two groups).
    private static func parseGroups(_ text: Substring) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, part.contains(".") {
                guard let quad = parseIPv4(part) else { return nil }
                groups.append(UInt16(quad >> 16))
                groups.append(UInt16(quad & 0xffff))
            } else {
                guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit),
                      let value = UInt16(part, radix: 16) else { return nil }
                groups.append(value)
            }
        }
        return groups
    }

    static func formatIPv4(_ bits: UInt32) -> String {
        "\(bits >> 24).\(bits >> 16 & 0xff).\(bits >> 8 & 0xff).\(bits & 0xff)"
    }

    static func formatIPv6(_ bits: UInt128) -> String {
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: bits >> (112 - 16 * $0)) }
        if bits >> 32 == 0xffff {
            return "::ffff:" + formatIPv4(UInt32(truncatingIfNeeded: bits))
        }
        // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8 && groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                let length = index - runStart
                if length > bestLength && length >= 2 { bestStart = runStart; bestLength = length }
                runStart = -1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        if bestStart < 0 { return hex.joined(separator: ":") }
        let left = hex[..<bestStart].joined(separator: ":")
        let right = hex[(bestStart + bestLength)...].joined(separator: ":")
        return left + "::" + right
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
