/// A record set of the zone's own, answered beside the steered names (`records:` in `global.yaml`):
/// one owner, one type, one TTL, one or more values.
public struct StaticRecordSet: Hashable, Sendable {
    /// The fully qualified owner name.
    public var owner: DomainName
    public var type: StaticRecordType
    /// The TTL in whole seconds.
    public var ttl: UInt32
    /// The records' data, each of `type`.
    public var values: [StaticRecordData]

    public init(owner: DomainName, type: StaticRecordType, ttl: UInt32, values: [StaticRecordData]) {
        self.owner = owner
        self.type = type
        self.ttl = ttl
        self.values = values
    }

    /// The TTL of a record set that gives none.
    public static let defaultTTL: UInt32 = 3600
    /// The longest TTL a record set may have (a week).
    public static let maximumTTL: UInt32 = 604_800
}

/// The types `records:` takes.
public enum StaticRecordType: String, Hashable, Sendable, CaseIterable, Comparable {
    case a = "A"
    case aaaa = "AAAA"
    case cname = "CNAME"
    case txt = "TXT"
    case mx = "MX"
    case srv = "SRV"
    case caa = "CAA"
    /// A delegation to another zone's servers: answered with a referral.
    case ns = "NS"

    public static func < (lhs: StaticRecordType, rhs: StaticRecordType) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The data of one static record, parsed from its presentation form (as a master file writes it).
public enum StaticRecordData: Hashable, Sendable, CustomStringConvertible {
    case a(IPAddress)
    case aaaa(IPAddress)
    case cname(DomainName)
    /// The text, split into character strings of at most 255 bytes on the wire.
    case txt(String)
    case mx(preference: UInt16, exchange: DomainName)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DomainName)
    /// RFC 8659: the flags (0, or 128 for critical), a tag such as `issue`, and its value.
    case caa(flags: UInt8, tag: String, value: String)
    case ns(DomainName)

    /// The longest TXT text a value may hold (a 4096-bit DKIM key takes about 750 bytes).
    public static let maximumTextLength = 4000

    /// The name this record points at, if any (for the checks: targets, glue, loops).
    public var target: DomainName? {
        switch self {
        case .cname(let name), .ns(let name), .mx(_, let name), .srv(_, _, _, let name): name
        case .a, .aaaa, .txt, .caa: nil
        }
    }

    /// The value as `records:` and a master file write it (names fully qualified, with the dot).
    public var description: String {
        switch self {
        case .a(let address), .aaaa(let address): address.description
        case .cname(let name), .ns(let name): name.text + "."
        case .txt(let text): text
        case .mx(let preference, let exchange): "\(preference) \(exchange.text)."
        case .srv(let priority, let weight, let port, let target): "\(priority) \(weight) \(port) \(target.text)."
        case .caa(let flags, let tag, let value): "\(flags) \(tag) \"\(value)\""
        }
    }

    /// Parses `text` as a value of `type`; names are relative to `zone` unless they end with a dot,
    /// and `@` is the zone itself. Throws a message that completes "'text' is not …".
    public static func parse(_ text: String, as type: StaticRecordType, zone: DomainName) throws(StaticRecordSyntaxError) -> StaticRecordData {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        func name(_ field: String, _ what: String) throws(StaticRecordSyntaxError) -> DomainName {
            guard let resolved = resolve(field, in: zone) else { throw StaticRecordSyntaxError("'\(field)' is not a valid \(what)") }
            return resolved
        }
        func number<N: FixedWidthInteger>(_ field: String, _ what: String) throws(StaticRecordSyntaxError) -> N {
            guard let value = N(field) else { throw StaticRecordSyntaxError("'\(field)' is not a \(what) (0 to \(N.max))") }
            return value
        }
        switch type {
        case .a:
            guard let address = IPAddress(text), address.family == .v4 else { throw StaticRecordSyntaxError("'\(text)' is not an IPv4 address") }
            return .a(address)
        case .aaaa:
            guard let address = IPAddress(text), address.family == .v6 else { throw StaticRecordSyntaxError("'\(text)' is not an IPv6 address") }
            return .aaaa(address)
        case .cname, .ns:
            guard fields.count == 1 else { throw StaticRecordSyntaxError("'\(text)' is not one host name") }
            let target = try name(fields[0], "host name")
            return type == .cname ? .cname(target) : .ns(target)
        case .txt:
            guard text.utf8.count <= maximumTextLength else {
                throw StaticRecordSyntaxError("TXT text of \(text.utf8.count) bytes is longer than \(maximumTextLength)")
            }
            return .txt(text)
        case .mx:
            guard fields.count == 2 else { throw StaticRecordSyntaxError("'\(text)' is not 'PREFERENCE HOST' (say '10 mail.example.net.')") }
            return .mx(preference: try number(fields[0], "preference"), exchange: try name(fields[1], "mail host name"))
        case .srv:
            guard fields.count == 4 else {
                throw StaticRecordSyntaxError("'\(text)' is not 'PRIORITY WEIGHT PORT TARGET' (say '10 5 5060 sip.example.net.')")
            }
            return .srv(priority: try number(fields[0], "priority"), weight: try number(fields[1], "weight"),
                        port: try number(fields[2], "port"), target: try name(fields[3], "target host name"))
        case .caa:
            return try parseCAA(text)
        }
    }

    /// `FLAGS TAG VALUE`, the value quoted or not (RFC 8659 section 4.1.1).
    private static func parseCAA(_ text: String) throws(StaticRecordSyntaxError) -> StaticRecordData {
        let usage = "'\(text)' is not 'FLAGS TAG VALUE' (say '0 issue \"letsencrypt.org\"')"
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, let flags = UInt8(parts[0]) else { throw StaticRecordSyntaxError(usage) }
        guard flags == 0 || flags == 128 else { throw StaticRecordSyntaxError("CAA flags are 0 or 128 (critical), not \(flags)") }
        let tag = parts[1]
        guard (1...15).contains(tag.utf8.count), tag.utf8.allSatisfy({ $0.isASCIIAlphanumeric }) else {
            throw StaticRecordSyntaxError("'\(tag)' is not a CAA tag (1 to 15 letters and digits, such as issue, issuewild or iodef)")
        }
        var value = parts[2]
        if value.hasPrefix("\"") {
            guard value.count >= 2, value.hasSuffix("\"") else { throw StaticRecordSyntaxError("the CAA value \(value) has no closing quote") }
            value = String(value.dropFirst().dropLast())
        }
        guard !value.contains("\""), value.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw StaticRecordSyntaxError("the CAA value '\(value)' may hold printable ASCII only, no quotes")
        }
        return .caa(flags: flags, tag: tag.lowercased(), value: value)
    }

    /// `field` as a fully qualified name: `@` is `zone`, a name with a final dot is absolute, any
    /// other is relative to `zone`.
    public static func resolve(_ field: String, in zone: DomainName) -> DomainName? {
        if field == "@" { return zone }
        if field.hasSuffix(".") { return field == "." ? nil : DomainName(field) }
        return zone.prepending(field)
    }
}

/// Why a static record's value cannot be read.
public struct StaticRecordSyntaxError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
