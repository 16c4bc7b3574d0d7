/// Every decision a steering snapshot gives, made ahead: one per service (in the configuration's
/// order), place bucket (`PlaceBuckets`), lane (`ClientLanes`) and address family. The DNS fast path
/// and the redirect responder prebuild their answers from it, so the two planes cannot disagree.
///
/// The family decides only a decision's addresses; its site, redirect URL and reason are the same for
/// both, so the redirector reads the IPv4 one.
public struct DecisionGrid: Sendable {
    /// The families decided for, in the order of the grid: the address types DNS answers (A, AAAA).
    public static let families: [AddressFamily] = [.v4, .v6]

    /// The places the grid distinguishes.
    public let places: PlaceBuckets
    /// Index: ((service × families + family) × places + bucket) × lanes + lane.
    private let decisions: [Decision]

    /// Decides every cell from `assessment` and `plan`, for clients placed by `places`, answering
    /// with each service's TTL in `ttls` (its `ttl` when absent). Each place's ranking is made once
    /// and every lane routed through it.
    public init(_ assessment: Assessment, places: PlaceBuckets, plan: LoadPlan = .none, ttls: [ServiceName: AnswerTTL] = [:]) {
        let services = assessment.configuration.services
        var decisions: [Decision] = []
        decisions.reserveCapacity(services.count * Self.families.count * places.count * ClientLanes.count)
        for service in services {
            let servicePlan = plan.plan(for: service.name)
            let ttl = ttls[service.name] ?? AnswerTTL(ttl: service.ttl, doubt: nil)
            let steered = places.representatives.map { location in
                SteeringPlace(service, for: location, in: assessment, plan: servicePlan)
            }
            // Each lane's route, taken once for both families.
            let routes = steered.map { place in
                place.map { place in (0..<ClientLanes.count).map { place.route(selector: ClientLanes.selector(forLane: $0)) } }
            }
            for family in Self.families {
                for (bucket, location) in places.representatives.enumerated() {
                    // Lanes that take the same route and rotation share one decision, made once.
                    var made: [SteeringPlace.DecisionKey: Decision] = [:]
                    for lane in 0..<ClientLanes.count {
                        let selector = ClientLanes.selector(forLane: lane)
                        guard let place = steered[bucket], let route = routes[bucket]?[lane] else {
                            decisions.append(Steering.decide(service, for: location, in: assessment, family: family, selector: selector).with(ttl))
                            continue
                        }
                        let key = place.decisionKey(family: family, selector: selector, route: route)
                        let decision = made[key] ?? place.decision(family: family, selector: selector, route: route).with(ttl)
                        made[key] = decision
                        decisions.append(decision)
                    }
                }
            }
        }
        self.places = places
        self.decisions = decisions
    }

    /// The decision for clients of `bucket` in `lane`, for the service at index `service` of the
    /// configuration, answering `family`.
    public func decision(service: Int, bucket: Int, lane: Int, family: AddressFamily) -> Decision {
        let familyIndex = family == .v4 ? 0 : 1
        return decisions[((service * Self.families.count + familyIndex) * places.count + bucket) * ClientLanes.count + lane]
    }
}
