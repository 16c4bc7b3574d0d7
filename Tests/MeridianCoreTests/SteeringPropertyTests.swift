import PropertyBased
import Testing
@testable import MeridianCore

/// Invariants of steering over many generated worlds: random regions on the map, random gateway
/// health, random overrides, random clients.
struct SteeringPropertyTests {
    /// One generated world with the inputs of a decision.
    struct GeneratedWorld: Sendable, CustomStringConvertible {
        var configuration: Configuration
        var observations: [Observation]
        var overrides: [Override]
        var clients: [GeoPoint?]

        var description: String {
            configuration.regions.map { "\($0.name)@\($0.location) w\($0.weight) gw\($0.gateways.count)" }.joined(separator: "; ")
                + " down: \(observations.filter { $0.verdict == .down }.map(\.gateway.rawValue))"
                + " overrides: \(overrides.map { "\($0.target) \($0.action)" })"
        }
    }

    static let regionNames: [RegionName] = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]

    static let worlds = Gen.uint64().map { seed -> GeneratedWorld in
        var random = SplitMix(seed: seed)
        let regionCount = Int(random.next() % 5) + 1
        let regions = (0..<regionCount).map { index in
            TestWorld.region(regionNames[index],
                             at: GeoPoint(latitude: random.unit * 160 - 80, longitude: random.unit * 360 - 180)!,
                             index: index + 1, gateways: Int(random.next() % 4) + 1,
                             weight: Double(random.next() % 4), minHealthy: [0, 0.5, 1][Int(random.next() % 3)])
        }
        let names = regions.map(\.name)
        let services = SteeringPolicy.allCases.map { policy in
            TestWorld.service(ServiceName(policy.rawValue)!, policy: policy, regions: names.shuffled(using: &random),
                              weights: Dictionary(uniqueKeysWithValues: names.map { ($0, Double(random.next() % 5)) }))
        }
        let configuration = Configuration(zone: DomainName("example.test")!, regions: regions, services: services, networks: [])
        let observations = configuration.gateways.flatMap { gateway in
            names.compactMap { observer -> Observation? in
                let roll = random.next() % 10
                guard roll > 0 else { return nil }
                return Observation(gateway: gateway.name, observer: DirectorName(observer.rawValue)!, verdict: roll < 4 ? .down : .up,
                                   latency: .milliseconds(Int64(random.next() % 80)), at: TestWorld.now)
            }
        }
        let overrides = names.compactMap { name -> Override? in
            let roll = random.next() % 8
            guard roll < 3 else { return nil }
            return Override(target: .region(name), action: [.down, .drain, .up][Int(roll)], reason: "generated",
                            author: "test", setAt: TestWorld.now)
        }
        let clients: [GeoPoint?] = (0..<4).map { _ in
            random.next() % 5 == 0 ? nil : GeoPoint(latitude: random.unit * 180 - 90, longitude: random.unit * 360 - 180)
        }
        return GeneratedWorld(configuration: configuration, observations: observations, overrides: overrides, clients: clients)
    }

    @Test func neverSteersToAnUnavailableSiteWhileAnAvailableOneExists() async {
        await propertyCheck(count: 300, input: Self.worlds) { world in
            let assessment = Assessment.make(world.configuration, observations: world.observations,
                                             overrides: world.overrides, vantage: nil, now: TestWorld.now)
            for service in world.configuration.services {
                let sites = service.regions.compactMap { assessment.site($0) }
                let anyAvailable = sites.contains { $0.availability == .available }
                let anyDrained = sites.contains { $0.availability == .drained }
                for (index, client) in world.clients.enumerated() {
                    let decision = Steering.decide(service, for: TestWorld.client(at: client), in: assessment,
                                                   selector: UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
                    switch decision.outcome {
                    case .site(let region):
                        let chosen = assessment.site(region)!
                        if anyAvailable {
                            #expect(chosen.availability == .available, "\(service.policy) chose \(region)")
                        } else {
                            #expect(chosen.availability == .drained)
                        }
                        // Answers come only from the chosen site's serving gateways.
                        let serving = Set(chosen.servingGateways.map(\.address))
                        #expect(decision.addresses.allSatisfy(serving.contains))
                        #expect(decision.addresses.count <= service.maxAnswers)
                        #expect(!decision.addresses.isEmpty)
                    case .allDown:
                        #expect(!anyAvailable && !anyDrained)
                    }
                }
            }
        }
    }

    @Test func nearestChoosesNoFartherThanAnyOtherAvailableSite() async {
        await propertyCheck(count: 300, input: Self.worlds) { world in
            let assessment = Assessment.make(world.configuration, observations: world.observations,
                                             overrides: world.overrides, vantage: nil, now: TestWorld.now)
            let service = world.configuration.service(named: "nearest")!
            for case let client? in world.clients {
                let decision = Steering.decide(service, for: TestWorld.client(at: client), in: assessment)
                guard let chosen = decision.chosenRegion, assessment.site(chosen)?.availability == .available else { continue }
                let distance = client.distance(to: assessment.site(chosen)!.region.location)
                for site in assessment.sites where site.availability == .available {
                    // Distances compare in whole kilometres: sites less than a kilometre apart tie.
                    #expect(distance <= client.distance(to: site.region.location) + 1)
                }
            }
        }
    }

    @Test func decisionsAreAPureFunctionOfTheirInputs() async {
        await propertyCheck(count: 100, input: Self.worlds) { world in
            let first = Assessment.make(world.configuration, observations: world.observations,
                                        overrides: world.overrides, vantage: nil, now: TestWorld.now)
            let second = Assessment.make(world.configuration, observations: world.observations.reversed(),
                                         overrides: world.overrides.reversed(), vantage: nil, now: TestWorld.now)
            for service in world.configuration.services {
                for client in world.clients {
                    let a = Steering.decide(service, for: TestWorld.client(at: client), in: first, selector: 42)
                    let b = Steering.decide(service, for: TestWorld.client(at: client), in: second, selector: 42)
                    #expect(a.outcome == b.outcome && a.addresses == b.addresses && a.reason == b.reason)
                }
            }
        }
    }

    @Test func weightedSteeringConvergesToTheConfiguredWeights() async {
        let weights = zip(Gen.int(in: 0...9), Gen.int(in: 0...9)).map { (a: Int, b: Int) in (Double(a), Double(b + 1)) }
        await propertyCheck(count: 20, input: weights) { pair in
            var world = TestWorld.turkey()
            world.services = [TestWorld.service(policy: .weighted, regions: ["istanbul", "ankara"],
                                                weights: ["istanbul": pair.0, "ankara": pair.1])]
            let assessment = TestWorld.assess(world)
            var random = SplitMix(seed: UInt64(pair.0 * 10 + pair.1))
            let draws = 5_000
            var istanbul = 0
            for _ in 0..<draws {
                let decision = Steering.decide(world.services[0], for: TestWorld.client(at: nil), in: assessment,
                                               selector: random.next())
                if decision.chosenRegion == "istanbul" { istanbul += 1 }
            }
            let expected = pair.0 / (pair.0 + pair.1)
            // Four standard deviations of a binomial proportion at 5,000 draws is at most 0.0283.
            #expect(abs(Double(istanbul) / Double(draws) - expected) < 0.029, "weights \(pair)")
        }
    }
}

/// A small deterministic generator (SplitMix64) for building worlds from one seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    var unit: Double {
        mutating get { Double(next() >> 11) * 0x1p-53 }
    }
}
