/// The whole world as one configuration folder describes it: the zone, the regions with their
/// directors and gateways, the services clients ask for, and the client networks table.
///
/// A `Configuration` is only ever built by `ConfigurationLoader`, which guarantees its invariants:
/// names are unique, every reference names something that exists, and every value is in range.
public struct Configuration: Sendable {
    /// The DNS zone the directors are authoritative for.
    public var zone: DomainName
    /// The regions, sorted by name.
    public var regions: [Region]
    /// The services, in the order the configuration lists them.
    public var services: [Service]
    /// The client networks table, in the order the configuration lists it.
    public var networks: [ClientNetwork]
    /// Where a client that matches no network is assumed to be; `nil` means the answering
    /// director's own location (and no location at all offline).
    public var defaultLocation: NamedLocation?
    /// How long an observation stays fresh; `nil` means three probe intervals plus the timeout of the
    /// gateway observed.
    public var staleAfter: Duration?
    /// Proxies whose forwarding header (`forwardingHeader`) the redirector believes; a forwarding
    /// header from any other peer is ignored.
    public var trustedProxies: [IPPrefix]
    /// Which forwarding header of a trusted proxy's requests is read (the other is ignored).
    public var forwardingHeader: ForwardingHeader = .xForwardedFor
    /// Which debugging answers the DNS server gives.
    public var debugAnswers: DebugAnswers
    /// The zone's own record sets beside the steered names (`records:`), by owner and type.
    public var records: [StaticRecordSet] = []
    /// How the zone is signed; `nil`: it is not.
    public var dnssec: DNSSECSettings?
    /// How many answers per second each client network gets over UDP.
    public var rateLimit = ResponseRateLimit()
    /// The certificates of the HTTPS redirect listeners (`nil`: none is configured).
    public var tls: TLSSettings?
    /// The GeoIP database that locates clients no network contains (`nil`: none).
    public var geoIP: GeoIPSettings?
    /// How directors verify each other over HTTPS (`nil`: the system's authorities, no client certificates).
    public var peerTLS: PeerTLSSettings?
    /// How long a drained region or gateway is still used as a last resort before it is out of
    /// service like a `down` one; `nil`: for as long as the drain holds.
    public var drainGrace: Duration? = Configuration.defaultDrainGrace

    public static let defaultDrainGrace: Duration = .seconds(300)
    /// Identifies the files this configuration was loaded from (`ConfigurationFingerprint`: SHA-256
    /// over their names and contents), so directors can tell whether they run the same configuration.
    /// Empty for a configuration built in code.
    public var fingerprint: String = ""

    public init(zone: DomainName, regions: [Region], services: [Service], networks: [ClientNetwork],
                defaultLocation: NamedLocation? = nil, staleAfter: Duration? = nil, trustedProxies: [IPPrefix] = [],
                debugAnswers: DebugAnswers = DebugAnswers()) {
        self.zone = zone
        self.regions = regions.sorted { $0.name < $1.name }
        self.services = services
        self.networks = networks
        self.defaultLocation = defaultLocation
        self.staleAfter = staleAfter
        self.trustedProxies = trustedProxies
        self.debugAnswers = debugAnswers
    }

    /// The region called `name`.
    public func region(_ name: RegionName) -> Region? {
        regions.first { $0.name == name }
    }

    /// Every director of every region, in region order, each with its region's name.
    public var directors: [(region: RegionName, endpoints: DirectorEndpoints)] {
        regions.flatMap { region in region.directors.map { (region.name, $0) } }
    }

    /// The director called `name` and its region's name.
    public func director(_ name: DirectorName) -> (region: RegionName, endpoints: DirectorEndpoints)? {
        directors.first { $0.endpoints.name == name }
    }

    /// The region of every director, by director name.
    public var regionOfDirector: [DirectorName: RegionName] {
        Dictionary(directors.map { ($0.endpoints.name, $0.region) }, uniquingKeysWith: { first, _ in first })
    }

    /// The service called `name`, or whose fully qualified name is `name`.
    public func service(named name: String) -> Service? {
        let lowered = name.lowercased()
        return services.first { $0.name.rawValue == lowered || $0.fqdn.text == lowered }
    }

    /// Every gateway of every region.
    public var gateways: [Gateway] { regions.flatMap(\.gateways) }

    /// How long an observation of `gateway` stays fresh.
    public func freshness(of gateway: Gateway) -> Duration {
        staleAfter ?? gateway.probe.interval * 3 + gateway.probe.timeout
    }
}

/// A named point on the map: a region's location or coordinates given in the configuration.
public struct NamedLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The region whose location this is, when it was given as a region name.
    public var region: RegionName?
    public var point: GeoPoint

    public init(region: RegionName? = nil, point: GeoPoint) {
        self.region = region
        self.point = point
    }

    public var description: String { region.map { "near \($0)" } ?? point.description }
}

/// The DNS answers that help debugging, each of which an operator may turn off (`dns:` in
/// `global.yaml`).
public struct DebugAnswers: Hashable, Sendable {
    /// `TXT _explain.<service>`: the decision for the asking client.
    public var explain: Bool
    /// `CH TXT id.server`, `hostname.bind`, `version.server` and `version.bind`, and the NSID option
    /// (RFC 5001) in answers to queries that ask for it.
    public var identity: Bool
    /// The clients that may ask for `_explain` over UDP; every other client is told to ask over TCP
    /// (a truncated answer), so that the long TXT answer cannot be aimed at a forged source.
    public var explainOverUDP: [IPPrefix]

    public init(explain: Bool = true, identity: Bool = true, explainOverUDP: [IPPrefix] = []) {
        self.explain = explain
        self.identity = identity
        self.explainOverUDP = explainOverUDP
    }
}
