/// The result of ranking the eligible sites under a policy, for every client of one place: the
/// lane picks among them (`SteeringPlace`).
struct PolicyRanking {
    /// Eligible sites, best first (for `weighted`, by share).
    var order: [SiteStatus]
    /// For `weighted`: each eligible site's share, in the service's order; a client's lane draws
    /// its site from them. `nil` for the policies that send the whole place to `order[0]`.
    var weighted: [(site: SiteStatus, share: Double)]?
    /// For `latency`: the latency compared for each site and who measured it.
    var latencies: [RegionName: (latency: Duration, observer: RegionName?)]
    var reason: String
}

/// What the policies need to rank sites for one decision.
struct PolicyContext {
    let service: Service
    let client: ClientLocation
    let assessment: Assessment

    func rank(_ sites: [SiteStatus]) -> PolicyRanking {
        switch service.policy {
        case .nearest: nearest(sites)
        case .failover: failover(sites)
        case .weighted: weighted(sites)
        case .latency: latency(sites)
        }
    }

    private func orderIndex(_ site: SiteStatus) -> Int {
        service.regions.firstIndex(of: site.region.name) ?? Int.max
    }

    /// Distance in whole kilometres (closer than a kilometre is a tie), `Int.max` when unknown.
    private func distance(_ site: SiteStatus) -> Int {
        client.point.map { Int($0.distance(to: site.region.location).rounded()) } ?? Int.max
    }

    private func single(_ order: [SiteStatus], reason: String,
                        latencies: [RegionName: (latency: Duration, observer: RegionName?)] = [:]) -> PolicyRanking {
        PolicyRanking(order: order, weighted: nil, latencies: latencies, reason: reason)
    }

    // MARK: nearest

    private func nearest(_ sites: [SiteStatus]) -> PolicyRanking {
        let order = sites.sorted { (distance($0), -$0.score, orderIndex($0)) < (distance($1), -$1.score, orderIndex($1)) }
        let winner = order[0]
        guard client.point != nil else {
            return single(order, reason: "client location unknown: \(winner.region.name) has the best score "
                          + "(\(winner.score.rounded(to: 3)))")
        }
        var reason = "\(winner.region.name) is the nearest eligible site (\(distance(winner)) km)"
        if order.count > 1 { reason += "; next: \(order[1].region.name) at \(distance(order[1])) km" }
        return single(order, reason: reason)
    }

    // MARK: failover

    private func failover(_ sites: [SiteStatus]) -> PolicyRanking {
        let order = sites.sorted { orderIndex($0) < orderIndex($1) }
        let winner = order[0].region.name
        let skipped = service.regions.prefix { $0 != winner }
        let reason = skipped.isEmpty
            ? "\(winner) is first in the failover order (\(service.regions.map(\.rawValue).joined(separator: ", ")))"
            : "\(skipped.map(\.rawValue).joined(separator: ", ")) not eligible; \(winner) is next in the failover order"
        return single(order, reason: reason)
    }

    // MARK: weighted

    private func weighted(_ sites: [SiteStatus]) -> PolicyRanking {
        let weights = sites.map { (service.weights[$0.region.name] ?? $0.region.weight) * $0.healthyFraction }
        let total = weights.reduce(0, +)
        let shares = total > 0 ? weights.map { $0 / total } : weights.map { _ in 1 / Double(sites.count) }
        let byShare = sites.indices.sorted { (index, other) in
            (shares[index], -orderIndex(sites[index])) > (shares[other], -orderIndex(sites[other]))
        }
        let split = sites.indices.map { "\(sites[$0].region.name) \(shares[$0].percentage)" }.joined(separator: ", ")
        return PolicyRanking(order: byShare.map { sites[$0] }, weighted: Array(zip(sites, shares)), latencies: [:],
                             reason: "weighted split \(split)")
    }

    // MARK: latency

    /// The director whose measurements stand for the client: the one nearest the client, else the
    /// answering director, among those that measured any eligible site.
    private func latencyObserver(_ sites: [SiteStatus]) -> RegionName? {
        let observers = Set(sites.flatMap(\.latencyByObserver.keys))
        if let point = client.point {
            let regions = assessment.configuration.regions.filter { observers.contains($0.name) }
            return regions.min { point.distance(to: $0.location) < point.distance(to: $1.location) }?.name
        }
        return assessment.vantage.flatMap { observers.contains($0) ? $0 : nil }
    }

    private func latency(_ sites: [SiteStatus]) -> PolicyRanking {
        let observer = latencyObserver(sites)
        var latencies: [RegionName: (latency: Duration, observer: RegionName?)] = [:]
        for site in sites {
            if let observer, let measured = site.latencyByObserver[observer] {
                latencies[site.region.name] = (measured, observer)
            } else if let overall = site.latency {
                latencies[site.region.name] = (overall, nil)
            }
        }
        func key(_ site: SiteStatus) -> (Duration, Int, Int) {
            (latencies[site.region.name]?.latency ?? .seconds(1_000_000), distance(site), orderIndex(site))
        }
        let order = sites.sorted { key($0) < key($1) }
        let winner = order[0].region.name
        guard let measured = latencies[winner] else {
            return single(order, reason: "no latency measured yet: \(winner) is the nearest eligible site")
        }
        let from = measured.observer.map { "as measured from \($0)'s director" } ?? "median of fresh observers"
        var reason = "\(winner) has the lowest latency (\(measured.latency.shortDescription), \(from))"
        if order.count > 1, let next = latencies[order[1].region.name] {
            reason += "; next: \(order[1].region.name) at \(next.latency.shortDescription)"
        }
        return single(order, reason: reason, latencies: latencies)
    }
}
