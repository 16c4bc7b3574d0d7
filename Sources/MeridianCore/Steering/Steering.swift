/// Decides where a client goes for a service: the steering policies, the all-down behaviour and the
/// answer set, as one pure function of an `Assessment`, a client location and a selector.
///
/// The `selector` is any well-mixed 64-bit number the caller derives from the query (for example a
/// hash of the client subnet): it picks the site under `weighted` and rotates the answer set, so the
/// same client gets a stable answer while many clients spread.
public enum Steering {
    /// The decision for one client. `plan` is the service's load plan (`LoadPlan`): without it,
    /// no site sheds and none fails back.
    public static func decide(_ service: Service, for client: ClientLocation, in assessment: Assessment,
                              plan: ServiceLoadPlan? = nil, family: AddressFamily? = nil, selector: UInt64 = 0) -> Decision {
        guard let place = SteeringPlace(service, for: client, in: assessment, plan: plan) else {
            return allDown(service, client: client, assessment: assessment, family: family, selector: selector)
        }
        return place.decision(family: family, selector: selector)
    }

    private static func allDown(_ service: Service, client: ClientLocation, assessment: Assessment,
                                family: AddressFamily?, selector: UInt64) -> Decision {
        let sites = service.regions.compactMap { assessment.site($0) }
        let addresses: [IPAddress]
        let url: BaseURL?
        let reason: String
        switch service.allDown {
        case .failOpen:
            let open = sites.filter { $0.override?.action != .down }
                .flatMap { site in site.gateways.filter { $0.override?.action != .down }.map(\.gateway.address) }
            addresses = answerSet(open, family: family, limit: service.maxAnswers, selector: selector)
            url = failOpenURL(service, client: client, sites: sites)
            reason = "every site is unavailable; fail-open answers with the gateways of every site not forced down"
        case .failClosed:
            addresses = []
            url = nil
            reason = "every site is unavailable; fail-closed answers with nothing"
        case .fallback(let target):
            addresses = answerSet(target.addresses, family: family, limit: service.maxAnswers, selector: 0)
            url = target.url
            reason = "every site is unavailable; clients go to the fallback target"
        }
        return Decision(service: service, client: client, outcome: .allDown(service.allDown), addresses: addresses,
                        redirectURL: url, shares: [:],
                        candidates: candidates(sites, order: [], shares: [:], latencies: [:], client: client),
                        reason: reason, isolated: assessment.consensus.isolated, at: assessment.at)
    }

    /// Where fail-open redirects go: the nearest site not forced down (the service's first, when the
    /// client's location is unknown).
    private static func failOpenURL(_ service: Service, client: ClientLocation, sites: [SiteStatus]) -> BaseURL? {
        guard let urls = service.redirect?.urls else { return nil }
        let open = sites.filter { $0.override?.action != .down && urls[$0.region.name] != nil }
        let nearest = client.point.flatMap { point in
            open.min { point.distance(to: $0.region.location) < point.distance(to: $1.region.location) }
        } ?? open.first
        return nearest.flatMap { urls[$0.region.name] }
    }

    /// Where an answer of `count` addresses starts for `selector` (0 when there are none).
    static func rotation(count: Int, selector: UInt64) -> Int {
        count == 0 ? 0 : Int(selector % UInt64(count))
    }

    /// Up to `limit` addresses of `family`, rotated by `selector` so that clients spread over them.
    static func answerSet(_ addresses: [IPAddress], family: AddressFamily?, limit: Int, selector: UInt64) -> [IPAddress] {
        let matching = family.map { family in addresses.filter { $0.family == family } } ?? addresses
        guard !matching.isEmpty else { return [] }
        let start = rotation(count: matching.count, selector: selector)
        let rotated = matching[start...] + matching[..<start]
        return Array(rotated.prefix(limit))
    }

    static func candidates(_ sites: [SiteStatus], order: [RegionName], shares: [RegionName: Double],
                                   latencies: [RegionName: (latency: Duration, observer: RegionName?)],
                                   client: ClientLocation) -> [Candidate] {
        let ranked = order.compactMap { name in sites.first { $0.region.name == name } }
        let rest = sites.filter { !order.contains($0.region.name) }
        return (ranked + rest).map { site in
            let latency = latencies[site.region.name]
            return Candidate(
                region: site.region.name, availability: site.availability, status: site.reason,
                healthyGateways: site.healthyCount, gateways: site.gateways.count, score: site.score,
                weight: site.region.weight,
                distanceKilometres: client.point.map { $0.distance(to: site.region.location) },
                latency: latency?.latency ?? site.latency, latencyObserver: latency?.observer,
                share: shares[site.region.name] ?? 0, eligible: order.contains(site.region.name))
        }
    }
}
