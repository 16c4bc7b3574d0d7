/// The steering of one service for every client of one place: the policy's ranking, made once, and
/// each client's route through it. A client's selector gives it a position in [0, 1); the
/// position picks its site (`weighted`), decides whether it is among the clients a failing-back
/// site has back, and whether it is among those a full site sheds, and to which site with room.
/// Each step rescales the position into the part of [0, 1) it fell in, so every step takes an
/// exact share of the clients that reach it, and the clients moved only grow as a share grows.
struct SteeringPlace {
    let service: Service
    let client: ClientLocation
    let assessment: Assessment
    let plan: ServiceLoadPlan
    /// Every site of the service, in the service's order.
    let sites: [SiteStatus]
    /// Whether no site is available, so the drained ones are used.
    let onlyDrained: Bool
    let ranking: PolicyRanking
    /// How the place's clients split between sites, after failback and spill.
    private(set) var shares: [RegionName: Double] = [:]
    /// The candidates of a decision, by the policy's first pick (one entry unless `weighted`).
    private(set) var candidates: [RegionName: [Candidate]] = [:]
    /// Each site's serving gateways' addresses.
    let addresses: [RegionName: [IPAddress]]

    /// One client's way to its site.
    struct Route {
        /// The policy's pick for the client, before any failback or spill.
        var first: SiteStatus
        var site: SiteStatus
        var notes: [PlanNote]
    }

    /// `nil` when no site of the service is eligible.
    init?(_ service: Service, for client: ClientLocation, in assessment: Assessment, plan: ServiceLoadPlan?) {
        let sites = service.regions.compactMap { assessment.site($0) }
        let available = sites.filter { $0.availability == .available }
        let eligible = available.isEmpty ? sites.filter { $0.availability == .drained } : available
        guard !eligible.isEmpty else { return nil }
        self.service = service
        self.client = client
        self.assessment = assessment
        self.sites = sites
        addresses = Dictionary(uniqueKeysWithValues: sites.map { ($0.region.name, $0.servingGateways.map(\.address)) })
        onlyDrained = available.isEmpty
        self.plan = available.isEmpty ? .none(service.name) : plan ?? .none(service.name)
        ranking = PolicyContext(service: service, client: client, assessment: assessment).rank(eligible)
        shares = spread(arrivals())
        for first in ranking.weighted == nil ? [ranking.order[0]] : ranking.order {
            let order = [first] + ranking.order.filter { $0.region.name != first.region.name }
            candidates[first.region.name] = Steering.candidates(sites, order: order.map(\.region.name), shares: shares,
                                                                latencies: ranking.latencies, client: client)
        }
    }

    /// The position in [0, 1) of a selector: its top 53 bits.
    static func position(of selector: UInt64) -> Double {
        Double(selector >> 11) * 0x1p-53
    }

    // MARK: one client

    /// The site the policy picks at `position` among the eligible sites not `excluded`, and the
    /// position rescaled within that site's part.
    private func pick(_ position: Double, excluding excluded: Set<RegionName>) -> (site: SiteStatus, position: Double)? {
        guard let weighted = ranking.weighted else {
            return ranking.order.first { !excluded.contains($0.region.name) }.map { ($0, position) }
        }
        let remaining = weighted.filter { !excluded.contains($0.site.region.name) }
        guard !remaining.isEmpty else { return nil }
        let total = remaining.map(\.share).reduce(0, +)
        var start = 0.0
        for (index, entry) in remaining.enumerated() {
            let width = total > 0 ? entry.share / total : 1 / Double(remaining.count)
            if position < start + width || index == remaining.count - 1 {
                return (entry.site, width > 0 ? Self.clamped((position - start) / width) : 0)
            }
            start += width
        }
        return nil
    }

    private static func clamped(_ position: Double) -> Double {
        min(max(position, 0), 1.0.nextDown)
    }

    /// Where the client at `position` goes: the policy's pick; past each failing-back site that does
    /// not have it back yet, to the policy's next pick; and, when the site it reaches sheds it, to a
    /// site with room.
    func route(_ position: Double) -> Route {
        var excluded: Set<RegionName> = []
        var notes: [PlanNote] = []
        guard var (site, position) = pick(position, excluding: []) else { preconditionFailure("a place has an eligible site") }
        let first = site
        while case let share = plan.failbackShare(site.region.name), share < 1, position >= share,
              let next = pick(Self.clamped((position - share) / (1 - share)), excluding: excluded.union([site.region.name])) {
            notes.append(.notBackYet(region: site.region.name, share: share))
            excluded.insert(site.region.name)
            (site, position) = next
        }
        let share = plan.failbackShare(site.region.name)
        if share < 1, position < share { position = Self.clamped(position / share) }
        let shed = plan.shedShare(site.region.name)
        if shed > 0, let planned = plan.site(site.region.name) {
            if position < shed, let receiver = plan.receiver(at: position / shed),
               let target = assessment.site(receiver.region) {
                notes.append(.spilled(from: site.region.name, to: receiver.region, demand: planned.demand,
                                      capacity: planned.capacity ?? 0, share: shed * receiver.fraction,
                                      short: plan.short))
                site = target
            } else {
                notes.append(.kept(region: site.region.name, demand: planned.demand, capacity: planned.capacity ?? 0,
                                   share: planned.kept, short: plan.short))
            }
        }
        return Route(first: first, site: site, notes: notes)
    }

    // MARK: every client

    /// How the place's clients reach sites through the failback ramps, before any spill.
    func arrivals() -> [RegionName: Double] {
        var result: [RegionName: Double] = [:]
        arrive(1, excluding: [], into: &result)
        return result
    }

    private func arrive(_ mass: Double, excluding excluded: Set<RegionName>, into result: inout [RegionName: Double]) {
        let picks: [(site: SiteStatus, fraction: Double)]
        if let weighted = ranking.weighted {
            let remaining = weighted.filter { !excluded.contains($0.site.region.name) }
            let total = remaining.map(\.share).reduce(0, +)
            picks = remaining.map { ($0.site, total > 0 ? $0.share / total : 1 / Double(remaining.count)) }
        } else {
            picks = ranking.order.first { !excluded.contains($0.region.name) }.map { [($0, 1)] } ?? []
        }
        for (site, fraction) in picks where fraction > 0 {
            let name = site.region.name
            let share = plan.failbackShare(name)
            let rest = excluded.union([name])
            let hasNext = ranking.order.contains { !rest.contains($0.region.name) }
            if share < 1, hasNext {
                result[name, default: 0] += mass * fraction * share
                arrive(mass * fraction * (1 - share), excluding: rest, into: &result)
            } else {
                result[name, default: 0] += mass * fraction
            }
        }
    }

    /// `arrivals` after the spill: each site keeps its kept share, the rest goes to the receivers.
    func spread(_ arrivals: [RegionName: Double]) -> [RegionName: Double] {
        var result: [RegionName: Double] = [:]
        for (region, share) in arrivals {
            let shed = plan.shedShare(region)
            result[region, default: 0] += share * (1 - shed)
            for receiver in plan.receivers where shed > 0 {
                result[receiver.region, default: 0] += share * shed * receiver.fraction
            }
        }
        return result.filter { $0.value > 0 }
    }
}
