/// The demand a site's reported load stands for, as the spill rule takes it (`ServiceLoadPlan.Input`).
public struct ObservedDemand: Hashable, Sendable {
    /// The load the service's policy sends the site, before spilling, estimated from the load the
    /// site reports and the share of its clients it keeps.
    public var demand: Double
    /// While a shedding site's demand falls back under its high watermark: the share of its
    /// capacity it carries until the demand is under the low watermark (the hysteresis).
    public var holding: Double?

    public init(demand: Double, holding: Double? = nil) {
        self.demand = demand
        self.holding = holding
    }
}

/// For each service, the observed demand of each site that reports its load.
public typealias ObservedDemands = [ServiceName: [RegionName: ObservedDemand]]

/// Turns the loads the sites report (`SiteStatus.load`) into the demands the spill rule plans with,
/// paced so the answers do not swing. Pure; a director keeps one and updates it at every refresh.
///
/// 1. A site's demand is estimated from the plan in force: a site that keeps `k < 1` of its clients
///    and reports `L` has a demand of `L / k`; one that keeps all has `L` less what others spill to it.
/// 2. A service's demands change at most once per its `ttl` (answers given under the old plan are
///    still cached until then), and a site's only when it moved by a point of its capacity.
/// 3. A shedding site whose demand falls under its high watermark keeps carrying what it carries
///    (within its watermarks) instead of taking its clients back at once; they come back when its
///    demand is under the low watermark.
/// 4. A site that stops reporting falls back to the declared model at once.
public struct LoadController: Hashable, Sendable {
    public private(set) var demands: ObservedDemands = [:]
    private var changedAt: [ServiceName: Timestamp] = [:]

    /// How far a site's estimated demand moves, as a share of its capacity, before it is taken.
    public static let deadband = 0.01

    public init() {}

    /// Takes the loads reported in `assessment`, under `plan` (the plan the answers follow now).
    public mutating func update(_ assessment: Assessment, plan: LoadPlan, now: Timestamp) {
        var next: ObservedDemands = [:]
        for service in assessment.configuration.services {
            let estimates = Self.estimate(assessment, plan: plan.plan(for: service.name))
            let held = (demands[service.name] ?? [:]).filter { estimates[$0.key] != nil }
            let due = changedAt[service.name].map { now - $0 >= .seconds(Int64(max(1, service.ttl))) } ?? true
            guard due else {
                if !held.isEmpty { next[service.name] = held }
                continue
            }
            var taken = held
            for (region, estimate) in estimates {
                let capacity = assessment.site(region)?.region.capacity ?? 0
                if let old = held[region], !Self.moved(from: old, to: estimate, capacity: capacity) { continue }
                taken[region] = estimate
            }
            if taken != held { changedAt[service.name] = now }
            if !taken.isEmpty { next[service.name] = taken }
        }
        demands = next
        changedAt = changedAt.filter { next[$0.key] != nil }
    }

    /// Per service, the sites whose reported load (or, without one, the load `plan` sends them) is
    /// over their high watermark: what steps a failback ramp back.
    public static func overloaded(_ assessment: Assessment, plan: LoadPlan) -> [ServiceName: Set<RegionName>] {
        var overloaded: [ServiceName: Set<RegionName>] = [:]
        for (name, service) in plan.services {
            for site in service.sites {
                guard let status = assessment.site(site.region), let capacity = site.capacity, capacity > 0 else { continue }
                if (status.load ?? site.load) > site.watermarks.high * capacity { overloaded[name, default: []].insert(site.region) }
            }
        }
        return overloaded
    }

    /// Rule 1 (and 3's holding) for each site of `plan` that reports its load.
    static func estimate(_ assessment: Assessment, plan: ServiceLoadPlan?) -> [RegionName: ObservedDemand] {
        guard let plan else { return [:] }
        func reported(_ site: ServiceLoadPlan.Site) -> Double? { assessment.site(site.region)?.load }
        let shed = plan.sites.filter { $0.kept < 1 }
            .map { site in (reported(site) ?? site.demand * site.kept) * (1 - site.kept) / site.kept }.reduce(0, +)
        var estimates: [RegionName: ObservedDemand] = [:]
        for site in plan.sites {
            guard let load = reported(site) else { continue }
            guard site.kept < 1 else {
                let received = (plan.receivers.first { $0.region == site.region }?.fraction ?? 0) * shed
                estimates[site.region] = ObservedDemand(demand: max(0, load - received))
                continue
            }
            let demand = load / site.kept
            var holding: Double?
            if let capacity = site.capacity, capacity > 0, demand <= site.watermarks.high * capacity {
                holding = min(site.watermarks.high, max(site.watermarks.low, load / capacity))
            }
            estimates[site.region] = ObservedDemand(demand: demand, holding: holding)
        }
        return estimates
    }

    /// Rule 2's dead band.
    private static func moved(from old: ObservedDemand, to new: ObservedDemand, capacity: Double) -> Bool {
        let scale = capacity > 0 ? capacity : max(1, old.demand)
        if abs(new.demand - old.demand) >= deadband * scale { return true }
        switch (old.holding, new.holding) {
        case (nil, nil): return false
        case (let before?, let after?): return abs(after - before) >= deadband
        default: return true
        }
    }
}
