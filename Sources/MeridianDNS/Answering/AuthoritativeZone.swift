import MeridianCore

/// The names a director is authoritative for, built from the configuration: the apex (SOA, NS),
/// one name server per region's director (`ns-<region>`, with its address as glue), every service,
/// and `_explain.<service>` for debugging.
public struct AuthoritativeZone: Sendable {
    public let apex: DNSName
    public let soa: SOAData
    /// Each region's director as a name server.
    public let nameServers: [(name: DNSName, address: IPAddress)]
    /// TTL of the SOA, NS and glue records.
    public let infrastructureTTL: UInt32
    private let services: [DNSName: Service]
    private let explainNames: [DNSName: Service]
    /// Every owner name, for telling empty non-terminals (NODATA) from names that do not exist (NXDOMAIN).
    private let owners: [DNSName]

    /// What a name in a query is.
    public enum Kind {
        case apex
        case service(Service)
        case explain(Service)
        case nameServer(IPAddress)
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
        owners = [apex] + Array(services.keys) + Array(explainNames.keys) + nameServers.map(\.name)
    }

    public func kind(of name: DNSName) -> Kind {
        guard name.isWithin(apex) else { return .outside }
        if name == apex { return .apex }
        if let service = services[name] { return .service(service) }
        if let service = explainNames[name] { return .explain(service) }
        if let server = nameServers.first(where: { $0.name == name }) { return .nameServer(server.address) }
        if owners.contains(where: { $0.isWithin(name) }) { return .emptyNonTerminal }
        return .nonexistent
    }

    /// The SOA record for the authority section of a negative answer (RFC 2308: TTL is the minimum).
    public var negativeSOA: ResourceRecord {
        ResourceRecord(name: apex, ttl: min(soa.minimum, infrastructureTTL), data: .soa(soa))
    }
}
