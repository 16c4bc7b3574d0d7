import MeridianCore

/// The names a director is authoritative for, built from the configuration: the apex (SOA, NS),
/// one name server per region's director (`ns-<region>`, with its address as glue), every service,
/// `_explain.<service>` for debugging, and the static records (`records:`), delegations among them.
public struct AuthoritativeZone: Sendable {
    public let apex: DNSName
    public let soa: SOAData
    /// Each region's director as a name server.
    public let nameServers: [(name: DNSName, address: IPAddress)]
    /// TTL of the SOA, NS and glue records.
    public let infrastructureTTL: UInt32
    private let services: [DNSName: Service]
    private let explainNames: [DNSName: Service]
    /// The static record sets by owner and type (delegations' NS sets are in `cuts`).
    private let records: [DNSName: [RecordType: [ResourceRecord]]]
    /// Each delegation point with its NS records.
    private let cuts: [DNSName: [ResourceRecord]]
    /// Every owner name, for telling empty non-terminals (NODATA) from names that do not exist (NXDOMAIN).
    private let owners: [DNSName]

    /// What a name in a query is.
    public enum Kind {
        case apex
        case service(Service)
        case explain(Service)
        case nameServer(IPAddress)
        /// A name with static records of its own, by type.
        case records([RecordType: [ResourceRecord]])
        /// The delegation point `cut` or a name below it: answered with a referral.
        case delegation(cut: DNSName)
        /// A name with nothing of its own but names below it.
        case emptyNonTerminal
        case nonexistent
        /// Not in this zone: refused, as an authoritative-only server does.
        case outside
    }

    /// `serial` is the SOA serial (the directors use the configuration's load time).
    public init(_ configuration: Configuration, serial: UInt32, negativeTTL: UInt32 = 30, infrastructureTTL: UInt32 = 3600) {
        let apex = DNSName(configuration.zone.text)!
        self.apex = apex
        self.infrastructureTTL = infrastructureTTL
        // One name server per director (`ns-<director>`, the region's name for a region's one
        // director), each with its glue.
        nameServers = configuration.regions.flatMap(\.directors).compactMap { director in
            apex.prepending("ns-\(director.name)").map { ($0, director.dns.ip) }
        }
        soa = SOAData(primary: nameServers.first?.name ?? apex, mailbox: apex.prepending("hostmaster") ?? apex,
                      serial: serial, refresh: 3600, retry: 600, expire: 86400, minimum: negativeTTL)
        var services: [DNSName: Service] = [:]
        var explainNames: [DNSName: Service] = [:]
        for service in configuration.services {
            guard let name = DNSName(service.fqdn.text) else { continue }
            services[name] = service
            if let explain = name.prepending("_explain") { explainNames[explain] = service }
        }
        self.services = services
        self.explainNames = explainNames
        var records: [DNSName: [RecordType: [ResourceRecord]]] = [:]
        var cuts: [DNSName: [ResourceRecord]] = [:]
        for set in configuration.records {
            let rrset = set.resourceRecords
            guard let owner = rrset.first?.name else { continue }
            if set.type == .ns {
                cuts[owner] = rrset
            } else {
                records[owner, default: [:]][set.recordType] = rrset
            }
        }
        self.records = records
        self.cuts = cuts
        owners = [apex] + Array(services.keys) + Array(explainNames.keys) + nameServers.map(\.name) + Array(records.keys)
            + Array(cuts.keys)
    }

    public func kind(of name: DNSName) -> Kind {
        guard name.isWithin(apex) else { return .outside }
        if name == apex { return .apex }
        if let service = services[name] { return .service(service) }
        if let service = explainNames[name] { return .explain(service) }
        if let server = nameServers.first(where: { $0.name == name }) { return .nameServer(server.address) }
        if let cut = cuts.keys.first(where: { name.isWithin($0) }) { return .delegation(cut: cut) }
        if let own = records[name] { return .records(own) }
        if owners.contains(where: { $0.isWithin(name) }) { return .emptyNonTerminal }
        return .nonexistent
    }

    /// The apex's static records (MX, TXT, CAA and the like), by type.
    public var apexRecords: [RecordType: [ResourceRecord]] { records[apex] ?? [:] }

    /// The types a name of kind `kind` has records of (for a denial's NSEC), the apex's DNSSEC
    /// records aside.
    public func types(of kind: Kind) -> Set<RecordType> {
        switch kind {
        case .apex: Set(apexRecords.keys).union([.soa, .ns])
        case .service: [.a, .aaaa]
        case .explain: [.txt]
        case .nameServer(let address): [address.family == .v4 ? .a : .aaaa]
        case .records(let own): Set(own.keys)
        case .delegation: [.ns]
        case .emptyNonTerminal, .nonexistent, .outside: []
        }
    }

    /// The NS records of the delegation at `cut`.
    public func delegation(at cut: DNSName) -> [ResourceRecord] { cuts[cut] ?? [] }

    /// The addresses this zone knows for `name` (a name server's glue): a static record's or a
    /// director's.
    public func addresses(of name: DNSName) -> [ResourceRecord] {
        if let server = nameServers.first(where: { $0.name == name }) {
            return [ResourceRecord(name: name, ttl: infrastructureTTL,
                                   data: server.address.family == .v4 ? .a(server.address) : .aaaa(server.address))]
        }
        let own = records[name] ?? [:]
        return (own[.a] ?? []) + (own[.aaaa] ?? [])
    }

    /// The SOA record for the authority section of a negative answer (RFC 2308: TTL is the minimum).
    public var negativeSOA: ResourceRecord {
        ResourceRecord(name: apex, ttl: min(soa.minimum, infrastructureTTL), data: .soa(soa))
    }
}
