import MeridianCore

/// One question of a query.
public struct Question: Hashable, Sendable {
    public var name: DNSName
    public var type: RecordType
    public var recordClass: RecordClass

    public init(name: DNSName, type: RecordType, recordClass: RecordClass = .internet) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
    }
}

/// A resource record (other than OPT, which `EDNS` represents).
public struct ResourceRecord: Hashable, Sendable {
    public var name: DNSName
    public var recordClass: RecordClass
    public var ttl: UInt32
    public var data: RecordData

    public init(name: DNSName, recordClass: RecordClass = .internet, ttl: UInt32, data: RecordData) {
        self.name = name
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }

    public var type: RecordType { data.type }
}

/// The data of a record, typed for the types an authoritative GSLB serves.
public enum RecordData: Hashable, Sendable {
    case a(IPAddress)
    case aaaa(IPAddress)
    case ns(DNSName)
    case cname(DNSName)
    case soa(SOAData)
    /// Character strings of at most 255 bytes each.
    case txt([[UInt8]])
    case other(RecordType, [UInt8])

    public var type: RecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ns: .ns
        case .cname: .cname
        case .soa: .soa
        case .txt: .txt
        case .other(let type, _): type
        }
    }

    /// TXT data from text, split into strings of at most 255 bytes.
    public static func text(_ strings: [String]) -> RecordData {
        .txt(strings.flatMap { string -> [[UInt8]] in
            let bytes = Array(string.utf8)
            guard !bytes.isEmpty else { return [[]] }
            return stride(from: 0, to: bytes.count, by: 255).map { Array(bytes[$0..<min($0 + 255, bytes.count)]) }
        })
    }
}

/// The data of an SOA record.
public struct SOAData: Hashable, Sendable {
    public var primary: DNSName
    public var mailbox: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    /// The TTL of negative answers (RFC 2308).
    public var minimum: UInt32

    public init(primary: DNSName, mailbox: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32,
                minimum: UInt32) {
        self.primary = primary
        self.mailbox = mailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}
