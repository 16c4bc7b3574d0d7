/// Whether a gateway is given to clients, after consensus and overrides.
public enum GatewayState: String, Hashable, Sendable, Codable {
    /// Healthy by consensus, or forced up by an override.
    case up
    /// No fresh verdict yet: served, on the benefit of the doubt.
    case unconfirmed
    /// Down by consensus or by an override.
    case down
    /// Drained by an override: not served while its site has other gateways.
    case drained

    /// Whether clients are sent to a gateway in this state.
    public var isServing: Bool { self == .up || self == .unconfirmed }
}

/// One gateway's state with the reasons behind it.
public struct GatewayStatus: Hashable, Sendable {
    public var gateway: Gateway
    public var state: GatewayState
    /// The consensus the state came from (absent when an override decided).
    public var consensus: GatewayConsensus?
    public var override: Override?
    public var reason: String
}

/// Whether a site may receive new clients.
public enum SiteAvailability: String, Hashable, Sendable, Codable {
    case available
    /// Drained by an operator: used only when no site is available.
    case drained
    case unavailable
}

/// One site's health, availability and score at one moment.
///
/// The score is `weight × healthyFraction × 100ms / (100ms + latency)` for an available site and 0
/// otherwise: it ranks sites where a policy has no stronger reason (ties, unknown client locations).
public struct SiteStatus: Hashable, Sendable {
    public var region: Region
    public var gateways: [GatewayStatus]
    public var override: Override?
    public var availability: SiteAvailability
    /// Serving gateways over gateways not drained (0 when every gateway is drained).
    public var healthyFraction: Double
    public var healthyCount: Int
    /// The median latency average of the serving gateways.
    public var latency: Duration?
    /// The load the site's serving gateways report (`probe.load`), in the unit of the region's
    /// `capacity`; `nil` when none does (the declared model stands in).
    public var load: Double?
    /// The same median as each observer measures it, for the `latency` policy.
    public var latencyByObserver: [RegionName: Duration]
    public var score: Double
    /// Why the site has its availability, in words.
    public var reason: String

    public static let latencyReference = Duration.milliseconds(100)

    /// The gateways to give clients when this site is chosen: the serving ones; for a drained site
    /// used as a last resort, its drained gateways that are still healthy; for a site forced up with
    /// none serving, every gateway that is not itself overridden. Never empty for an eligible site.
    public var servingGateways: [Gateway]
}
