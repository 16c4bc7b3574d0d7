/// The result of `meridian simulate`: for each service, where each client goes before and after
/// the simulated failure, the load each site takes against its capacity, and how long clients
/// take to move. Its JSON form is stable (see docs/simulate.md).
public struct SimulationReport: Codable, Sendable, Equatable {
    public var failedRegions: [String]
    public var services: [ServiceImpact]
    /// Every warning of every service, prefixed with the service's name.
    public var warnings: [String]
}

/// What a failure does to one service.
public struct ServiceImpact: Codable, Sendable, Equatable {
    public var service: String
    public var fqdn: String
    public var policy: String
    public var allDown: String
    /// `nil` when no failed region is one of the service's regions.
    public var timeToMove: TimeToMove?
    public var clients: [ClientRoute]
    public var sites: [SiteLoad]
    /// Load whose clients have no site after the failure (all-down behaviour applies).
    public var unservedLoadAfter: Double
    public var warnings: [String]
}

/// The worst-case time until clients of a failed region move: `probeInterval × fall + probeTimeout`
/// to see the failure, plus `ttl` for resolvers' caches to let go of the old answer.
public struct TimeToMove: Codable, Sendable, Equatable {
    public var seconds: Double
    public var probeIntervalSeconds: Double
    public var fall: Int
    public var probeTimeoutSeconds: Double
    public var ttlSeconds: Int
    /// The gateway with the slowest detection.
    public var slowestGateway: String
}

/// Where one client (a network of the table, or an address given with `--client`) goes.
public struct ClientRoute: Codable, Sendable, Equatable {
    /// The network's name, or the address given.
    public var client: String
    /// `network` or `address`.
    public var kind: String
    public var prefixes: [String]
    public var location: String
    public var load: Double
    public var before: Route
    public var after: Route
    /// Whether any of the client's traffic goes somewhere else after the failure.
    public var moved: Bool
}

/// One side (before or after) of a client's route.
public struct Route: Codable, Sendable, Equatable {
    /// `site` when a site was chosen, else the all-down behaviour that applied.
    public var outcome: String
    /// The sites and the share of the client's traffic each takes.
    public var shares: [SiteShare]
    public var reason: String

    /// `istanbul`, `istanbul 75% / ankara 25%`, or the all-down outcome.
    public var summary: String {
        if shares.isEmpty { return outcome }
        if shares.count == 1 { return shares[0].region }
        return shares.map { "\($0.region) \($0.share.percentage)" }.joined(separator: " / ")
    }
}

public struct SiteShare: Codable, Sendable, Equatable {
    public var region: String
    public var share: Double
}

/// One site's load before and after, against its capacity.
public struct SiteLoad: Codable, Sendable, Equatable {
    public var region: String
    public var failed: Bool
    public var capacity: Double?
    public var loadBefore: Double
    public var loadAfter: Double
    /// `loadBefore / capacity`, when the capacity is known.
    public var utilisationBefore: Double?
    /// `loadAfter / capacity`, when the capacity is known.
    public var utilisationAfter: Double?
    /// Whether the load after the failure exceeds the capacity.
    public var overCapacity: Bool
    /// The share of the clients steered to the site that it sheds to sites with room, before and
    /// after the failure (0: it keeps them all).
    public var shedBefore: Double
    public var shedAfter: Double
}
