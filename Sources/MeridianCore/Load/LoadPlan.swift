/// Every service's `ServiceLoadPlan` for one assessment. A site's demand is the one its reported
/// load stands for (`LoadController`), or else the load the service's policy sends it from the
/// client networks' declared `load` (through any failback ramp); the spill rule
/// (`ServiceLoadPlan.spill`) then decides who moves. Pure: every director with the same
/// configuration, assessment, failback shares and observed demands makes the same plan.
public struct LoadPlan: Sendable {
    public let services: [ServiceName: ServiceLoadPlan]

    /// A plan that moves nobody.
    public static let none = LoadPlan(services: [:])

    private init(services: [ServiceName: ServiceLoadPlan]) {
        self.services = services
    }

    /// Plans every service of `assessment`'s configuration for clients placed by `places`, with
    /// each failing-back site's share of its clients in `failback` and the demands sites' reported
    /// loads stand for in `observed`.
    public init(_ assessment: Assessment, places: PlaceBuckets, failback: FailbackShares = [:],
                observed: ObservedDemands = [:]) {
        var services: [ServiceName: ServiceLoadPlan] = [:]
        for service in assessment.configuration.services {
            services[service.name] = Self.plan(service, assessment: assessment, places: places,
                                               failback: failback[service.name] ?? [:],
                                               observed: observed[service.name] ?? [:])
        }
        self.services = services
    }

    /// The plan of `service` (`nil` when the plan is `none`).
    public func plan(for service: ServiceName) -> ServiceLoadPlan? {
        services[service]
    }

    private static func plan(_ service: Service, assessment: Assessment, places: PlaceBuckets,
                             failback: [RegionName: Double], observed: [RegionName: ObservedDemand]) -> ServiceLoadPlan {
        let available = service.regions.compactMap { assessment.site($0) }.filter { $0.availability == .available }
        guard !available.isEmpty else { return .none(service.name) }
        let ramp = ServiceLoadPlan.spill(service.name, sites: available.map { site in
            ServiceLoadPlan.Input(region: site.region.name, capacity: nil, watermarks: site.region.watermarks, demand: 0,
                                  source: .declared, failback: failback[site.region.name])
        })
        var demand: [RegionName: Double] = [:]
        for (bucket, load) in places.loads.enumerated() where load > 0 {
            guard let place = SteeringPlace(service, for: places.representatives[bucket], in: assessment, plan: ramp) else { continue }
            for (region, share) in place.arrivals() { demand[region, default: 0] += share * load }
        }
        let inputs = available.map { site in
            let region = site.region.name
            let reported = observed[region]
            return ServiceLoadPlan.Input(region: region, capacity: site.region.capacity, watermarks: site.region.watermarks,
                                         demand: reported?.demand ?? demand[region] ?? 0,
                                         source: reported == nil ? .declared : .observed,
                                         failback: failback[region], holding: reported?.holding)
        }
        return ServiceLoadPlan.spill(service.name, sites: inputs, spilling: service.spill)
    }
}

/// For each service, the share of its clients each failing-back site has back.
public typealias FailbackShares = [ServiceName: [RegionName: Double]]
