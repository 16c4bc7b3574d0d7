extension ServiceLoadPlan {
    /// One eligible site's inputs to `spill`.
    public struct Input: Hashable, Sendable {
        public var region: RegionName
        public var capacity: Double?
        public var watermarks: Watermarks
        public var demand: Double
        public var source: DemandSource
        /// While failing back, the share of its clients the site has back.
        public var failback: Double?
        /// The share of its capacity a shedding site holds to while its demand falls back
        /// (`ObservedDemand.holding`); `nil`: its high watermark.
        public var holding: Double?

        public init(region: RegionName, capacity: Double?, watermarks: Watermarks, demand: Double,
                    source: DemandSource, failback: Double? = nil, holding: Double? = nil) {
            self.region = region
            self.capacity = capacity
            self.watermarks = watermarks
            self.demand = demand
            self.source = source
            self.failback = failback
            self.holding = holding
        }

        /// Where the site starts to shed: its holding share, else its high watermark.
        var limit: Double { holding ?? watermarks.high }
    }

    /// The spill-over rule, one service at a time (docs/decisions.md):
    /// 1. Only sites with a capacity above 0 shed or take shed clients; a site failing back takes none.
    /// 2. A site is over when its demand passes `high × capacity` (while it holds, its holding share
    ///    stands for `high` here and in rule 4); its excess is what passes it.
    /// 3. A site under its high watermark that may take clients has `high × capacity − demand` of room.
    /// 4. When the room covers the excess, each site over keeps `high × capacity / demand` of its
    ///    clients and the rest go to the sites with room, in proportion to their room: no site ends
    ///    over its high watermark, and no client moves that need not.
    /// 5. Otherwise the fleet is short (`short`): the sites that take part carry the demand at one
    ///    utilisation `u` (their demand over their capacity); those above `u` keep `u × capacity /
    ///    demand` of their clients, the others take them in proportion to `u × capacity − demand`.
    ///
    /// With `spilling` false (the service's `spill: off`), no site sheds: the plan only reports.
    public static func spill(_ service: ServiceName, sites: [Input], spilling: Bool = true) -> ServiceLoadPlan {
        var kept = [Double](repeating: 1, count: sites.count)
        var room = [Double](repeating: 0, count: sites.count)
        var short = false
        func capacity(_ index: Int) -> Double? { sites[index].capacity.flatMap { $0 > 0 ? $0 : nil } }
        func takes(_ index: Int) -> Bool { sites[index].failback == nil }
        let measured = sites.indices.filter { capacity($0) != nil }
        let over = measured.filter { sites[$0].demand > sites[$0].limit * capacity($0)! }
        if spilling, !over.isEmpty {
            let excess = over.map { sites[$0].demand - sites[$0].limit * capacity($0)! }.reduce(0, +)
            let under = measured.filter { takes($0) && !over.contains($0) }
            let spare = under.map { max(0, sites[$0].watermarks.high * capacity($0)! - sites[$0].demand) }
            if spare.reduce(0, +) >= excess {
                for index in over { kept[index] = sites[index].limit * capacity(index)! / sites[index].demand }
                for (index, spare) in zip(under, spare) { room[index] = spare }
            } else {
                short = true
                let level = sharedLevel(sites, among: measured, capacity: capacity, takes: takes)
                for index in measured {
                    let fair = level.utilisation * capacity(index)!
                    if sites[index].demand > fair {
                        kept[index] = fair / sites[index].demand
                    } else if level.members.contains(index) {
                        room[index] = fair - sites[index].demand
                    }
                }
            }
        }
        let totalRoom = room.reduce(0, +)
        let receivers = totalRoom > 0
            ? sites.indices.filter { room[$0] > 0 }.map { Receiver(region: sites[$0].region, fraction: room[$0] / totalRoom) }
            : []
        if receivers.isEmpty { kept = kept.map { _ in 1 } }
        let shedLoad = sites.indices.map { sites[$0].demand * (1 - kept[$0]) }.reduce(0, +)
        let planned = sites.indices.map { index in
            let received = receivers.first { $0.region == sites[index].region }.map { $0.fraction * shedLoad } ?? 0
            return Site(region: sites[index].region, capacity: sites[index].capacity, watermarks: sites[index].watermarks,
                        demand: sites[index].demand, source: sites[index].source, kept: kept[index],
                        load: sites[index].demand * kept[index] + received, failback: sites[index].failback)
        }
        return ServiceLoadPlan(service: service, sites: planned, receivers: receivers, short: short && !receivers.isEmpty)
    }

    /// Rule 5's utilisation: the sites taking part are those with a capacity that may take clients or
    /// are above the level; a site that may not take clients and is under the level leaves, and the
    /// level is worked out again without it.
    private static func sharedLevel(_ sites: [Input], among measured: [Int], capacity: (Int) -> Double?,
                                    takes: (Int) -> Bool) -> (utilisation: Double, members: [Int]) {
        var members = measured
        while true {
            let demand = members.map { sites[$0].demand }.reduce(0, +)
            let total = members.map { capacity($0)! }.reduce(0, +)
            let utilisation = total > 0 ? demand / total : 0
            let leaving = members.filter { !takes($0) && sites[$0].demand <= utilisation * capacity($0)! }
            if leaving.isEmpty { return (utilisation, members) }
            members.removeAll { leaving.contains($0) }
        }
    }
}
