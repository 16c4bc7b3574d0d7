/// The offline what-if behind `meridian simulate`: it feeds the same `Assessment` and `Steering`
/// code the directors run with synthetic observations from every director (before: every gateway
/// up; after: every gateway of the failed regions down).
public enum Simulation {
    /// One row of the report: a network of the table, or an address given with `--client` (with its
    /// lane's selector: one client goes to one site, as DNS and redirects would send it).
    private typealias SimulatedClient = (name: String, kind: String, prefixes: [IPPrefix], load: Double, location: ClientLocation,
                                         selector: UInt64?)

    /// `geo` locates the `clients` that no network contains, as a director with the configuration's
    /// GeoIP database would.
    public static func run(_ configuration: Configuration, failing: [RegionName],
                           clients: [IPAddress] = [], geo: GeoPlaces? = nil) -> SimulationReport {
        let moment = Timestamp(nanosecondsSinceEpoch: 0)
        let failed = Set(failing)
        let before = Assessment.make(configuration, observations: observations(configuration, failed: []),
                                     overrides: [], vantage: nil, now: moment)
        let after = Assessment.make(configuration, observations: observations(configuration, failed: failed),
                                    overrides: [], vantage: nil, now: moment)
        let locator = ClientLocator(configuration, geo: geo)
        let places = PlaceBuckets(configuration, locator: locator, vantage: nil)
        let plans = (before: LoadPlan(before, places: places), after: LoadPlan(after, places: places))
        var routes: [SimulatedClient] =
            configuration.networks.map { ($0.name.rawValue, "network", $0.prefixes, $0.load, ClientLocator.location(of: $0), nil) }
        routes += clients.map { ($0.description, "address", [], 0, locator.locate($0), ClientLanes.selector(for: $0)) }

        let services = configuration.services.map { service in
            impact(on: service, configuration: configuration, failed: failed, before: (before, plans.before),
                   after: (after, plans.after), clients: routes)
        }
        return SimulationReport(
            failedRegions: failing.map(\.rawValue), services: services,
            warnings: services.flatMap { service in service.warnings.map { "\(service.service): \($0)" } })
    }

    /// Every director's observation of every gateway at `moment`: down in the `failed` regions, up elsewhere.
    static func observations(_ configuration: Configuration, failed: Set<RegionName>,
                             at moment: Timestamp = Timestamp(nanosecondsSinceEpoch: 0)) -> [Observation] {
        configuration.gateways.flatMap { gateway in
            configuration.directors.map(\.endpoints.name).map { observer in
                Observation(gateway: gateway.name, observer: observer,
                            verdict: failed.contains(gateway.region) ? .down : .up,
                            at: moment)
            }
        }
    }

    private static func impact(on service: Service, configuration: Configuration, failed: Set<RegionName>,
                               before: (assessment: Assessment, plan: LoadPlan), after: (assessment: Assessment, plan: LoadPlan),
                               clients: [SimulatedClient]) -> ServiceImpact {
        let plans = (before: before.plan.plan(for: service.name), after: after.plan.plan(for: service.name))
        var loadBefore: [RegionName: Double] = [:]
        var loadAfter: [RegionName: Double] = [:]
        var unserved = 0.0
        var warnings: [String] = []
        let routes = clients.map { client in
            let old = Steering.decide(service, for: client.location, in: before.assessment, plan: plans.before, selector: client.selector ?? 0)
            let new = Steering.decide(service, for: client.location, in: after.assessment, plan: plans.after, selector: client.selector ?? 0)
            for (region, share) in old.shares { loadBefore[region, default: 0] += share * client.load }
            for (region, share) in new.shares { loadAfter[region, default: 0] += share * client.load }
            if new.shares.isEmpty {
                unserved += client.load
                warnings.append("\(client.name) has no site after the failure (\(service.allDown.keyword))")
            }
            return ClientRoute(client: client.name, kind: client.kind, prefixes: client.prefixes.map(\.description),
                               location: client.location.description, load: client.load,
                               before: route(old, one: client.selector != nil), after: route(new, one: client.selector != nil),
                               moved: client.selector == nil ? old.shares != new.shares : old.chosenRegion != new.chosenRegion)
        }
        let sites = service.regions.compactMap { configuration.region($0) }.map { region in
            let before = loadBefore[region.name] ?? 0, after = loadAfter[region.name] ?? 0
            let capacity = region.capacity.flatMap { $0 > 0 ? $0 : nil }
            if let capacity, before > capacity {
                warnings.append("\(region.name) already carries \(before.formatted) before the failure, "
                                + "\((before / capacity).percentage) of its capacity \(capacity.formatted)")
            }
            if let capacity, after > capacity {
                warnings.append("\(region.name) would carry \(after.formatted), "
                                + "\((after / capacity).percentage) of its capacity \(capacity.formatted)")
            }
            return SiteLoad(region: region.name.rawValue, failed: failed.contains(region.name),
                            capacity: region.capacity, loadBefore: before, loadAfter: after,
                            utilisationBefore: capacity.map { before / $0 }, utilisationAfter: capacity.map { after / $0 },
                            overCapacity: capacity.map { after > $0 } ?? false,
                            shedBefore: plans.before?.site(region.name)?.shed ?? 0,
                            shedAfter: plans.after?.site(region.name)?.shed ?? 0)
        }
        if plans.after?.short == true {
            warnings.append("the fleet has no room for the load after the failure: every site with a capacity "
                            + "carries the same share of it, above its high watermark")
        }
        if !clients.isEmpty && clients.allSatisfy({ $0.load == 0 }) {
            warnings.append("no client network has a load: site loads are all 0 (set 'load' on networks)")
        }
        return ServiceImpact(
            service: service.name.rawValue, fqdn: service.fqdn.text, policy: service.policy.rawValue,
            allDown: service.allDown.keyword,
            timeToMove: timeToMove(service, configuration: configuration, failed: failed),
            clients: routes, sites: sites, unservedLoadAfter: unserved, warnings: warnings)
    }

    /// The route of `decision`: the split of a network's clients, or the `one` site of an address.
    private static func route(_ decision: Decision, one: Bool) -> Route {
        let outcome: String = switch decision.outcome {
        case .site: "site"
        case .allDown(let behaviour): behaviour.keyword
        }
        let split = one ? decision.chosenRegion.map { [$0: 1.0] } ?? [:] : decision.shares
        let shares = split.filter { $0.value > 0 }
            .sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .map { SiteShare(region: $0.key.rawValue, share: $0.value) }
        return Route(outcome: outcome, shares: shares, reason: decision.reason)
    }

    /// The slowest detection among the failed regions' gateways that serve `service`, plus its TTL.
    static func timeToMove(_ service: Service, configuration: Configuration, failed: Set<RegionName>) -> TimeToMove? {
        let gateways = service.regions.filter(failed.contains).compactMap { configuration.region($0) }.flatMap(\.gateways)
        guard let slowest = gateways.max(by: { $0.probe.worstCaseDetection < $1.probe.worstCaseDetection }) else {
            return nil
        }
        let probe = slowest.probe
        return TimeToMove(seconds: probe.worstCaseDetection.seconds + Double(service.ttl),
                          probeIntervalSeconds: probe.interval.seconds, fall: probe.fall,
                          probeTimeoutSeconds: probe.timeout.seconds, ttlSeconds: Int(service.ttl),
                          slowestGateway: slowest.name.rawValue)
    }
}
