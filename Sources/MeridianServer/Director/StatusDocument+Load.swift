import MeridianCore

extension StatusDocument {
    /// One eligible site of a service in its load plan (`ServiceLoadPlan`): the load the policy
    /// sends it, what it keeps and carries, and how far it is while failing back.
    public struct SiteLoadStatus: Codable, Sendable {
        public var region: String
        public var capacity: Double?
        public var highWatermark: Double
        public var lowWatermark: Double
        /// The load the policy sends the site (after any failback ramp), before spilling.
        public var demand: Double
        /// `declared` (the client networks' `load`) or `observed` (the gateways' reports).
        public var demandSource: String
        /// The load the site's gateways report (`probe.load`), when they do.
        public var reported: Double?
        /// While a shedding site's demand falls back: the share of its capacity it holds to until
        /// the demand is under its low watermark.
        public var holding: Double?
        /// The load the site carries: what it keeps and what others spill to it.
        public var load: Double
        /// `load` over `capacity`.
        public var utilisation: Double?
        /// The share of the clients the policy sends it that go elsewhere.
        public var shed: Double
        /// While failing back: the share of its clients it has back, and when it may take its next step.
        public var failback: Double?
        public var failbackNextStep: String?

        init(_ site: ServiceLoadPlan.Site, ramp: FailbackRamp?, reported: Double?, holding: Double?) {
            region = site.region.rawValue
            capacity = site.capacity
            highWatermark = site.watermarks.high
            lowWatermark = site.watermarks.low
            demand = site.demand.rounded(to: 2)
            demandSource = site.source.rawValue
            self.reported = reported?.rounded(to: 2)
            self.holding = holding?.rounded(to: 4)
            load = site.load.rounded(to: 2)
            utilisation = site.capacity.flatMap { $0 > 0 ? (site.load / $0).rounded(to: 4) : nil }
            shed = site.shed.rounded(to: 4)
            failback = site.failback
            failbackNextStep = ramp?.nextStep.iso8601
        }
    }

    /// The plan of `service` in `snapshot` as the status shows it.
    static func load(of service: Service, in snapshot: SteeringSnapshot) -> (sites: [SiteLoadStatus], short: Bool) {
        guard let plan = snapshot.plan.plan(for: service.name) else { return ([], false) }
        let sites = plan.sites.map { site in
            SiteLoadStatus(site, ramp: snapshot.ramps.ramp(service.name, site.region),
                           reported: snapshot.assessment.site(site.region)?.load,
                           holding: snapshot.observed[service.name]?[site.region]?.holding)
        }
        return (sites, plan.short)
    }
}
