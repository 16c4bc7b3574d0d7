/// How one service's clients are spread to protect its sites: for each site, the load the policy
/// sends it, the share of those clients it keeps, and, while it fails back, the share it has back;
/// and where the clients a full site sheds go. Computed by `ServiceLoadPlan.spill` from demands that
/// every director derives alike, so every director spreads the same clients the same way.
public struct ServiceLoadPlan: Hashable, Sendable {
    /// One site of the service in the plan.
    public struct Site: Hashable, Sendable {
        public var region: RegionName
        /// The site's capacity; `nil` when unknown (it neither sheds nor takes spilled clients).
        public var capacity: Double?
        public var watermarks: Watermarks
        /// The load the policy sends the site (after any failback ramp), before spilling.
        public var demand: Double
        /// Where `demand` comes from.
        public var source: DemandSource
        /// The share of the clients the policy sends here that the site keeps (1: it sheds none).
        public var kept: Double
        /// The load the site carries with the plan: what it keeps and what others spill to it.
        public var load: Double
        /// While the site fails back, the share of its clients it has back.
        public var failback: Double?

        /// The share of its clients the site sheds.
        public var shed: Double { 1 - kept }
    }

    /// Where the load that sites shed goes: a receiving site and its share of it.
    public struct Receiver: Hashable, Sendable {
        public var region: RegionName
        public var fraction: Double
    }

    public var service: ServiceName
    /// The service's sites that are eligible now, in the service's order.
    public var sites: [Site]
    /// The sites that take shed clients, in the service's order; their fractions sum to 1.
    public var receivers: [Receiver]
    /// Whether the fleet lacks room: the demand is over every eligible site's high watermark
    /// together, so every site with a capacity carries the same share of it.
    public var short: Bool

    /// A plan that moves nobody.
    public static func none(_ service: ServiceName) -> ServiceLoadPlan {
        ServiceLoadPlan(service: service, sites: [], receivers: [], short: false)
    }

    /// The plan's entry for `region`, if it is eligible.
    public func site(_ region: RegionName) -> Site? {
        sites.first { $0.region == region }
    }

    /// The share of its clients `region` has back while failing back (1 otherwise).
    func failbackShare(_ region: RegionName) -> Double {
        site(region)?.failback ?? 1
    }

    /// The share of the clients steered to `region` that it sheds (0 when it sheds none, or when no
    /// site can take them).
    func shedShare(_ region: RegionName) -> Double {
        guard !receivers.isEmpty, let site = site(region) else { return 0 }
        return site.shed
    }

    /// The receiver that a shed client at relative position `position` (in [0, 1)) goes to.
    func receiver(at position: Double) -> Receiver? {
        var cumulative = 0.0
        for receiver in receivers {
            cumulative += receiver.fraction
            if position < cumulative { return receiver }
        }
        return receivers.last
    }
}

/// Where a site's demand comes from.
public enum DemandSource: String, Hashable, Sendable, Codable {
    /// The client networks' declared `load`, steered by the service's policy.
    case declared
    /// The load the site's gateways report in their probe answers.
    case observed
}
