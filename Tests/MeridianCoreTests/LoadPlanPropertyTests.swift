import PropertyBased
import Testing
@testable import MeridianCore

/// Invariants of spill-over and failback over generated worlds: random sites, capacities, health,
/// client networks with loads, and failback shares.
struct LoadPlanPropertyTests {
    /// One generated world with the inputs of a snapshot.
    struct LoadedWorld: Sendable, CustomStringConvertible {
        var configuration: Configuration
        var observations: [Observation]
        var ramps: FailbackRamps

        var description: String {
            configuration.regions.map { "\($0.name) cap \($0.capacity?.formatted ?? "-") gw\($0.gateways.count)" }
                .joined(separator: "; ")
                + " networks: \(configuration.networks.map { "\($0.location.point) \($0.load.formatted)" })"
                + " down: \(observations.filter { $0.verdict == .down }.map(\.gateway.rawValue))"
                + " failback: \(ramps.shares)"
        }

        /// The same world with every network's load times `factor`.
        func scaled(by factor: Double) -> LoadedWorld {
            var world = self
            for index in world.configuration.networks.indices { world.configuration.networks[index].load *= factor }
            return world
        }

        func snapshot(vantage: Int = 0) -> SteeringSnapshot {
            let assessment = Assessment.make(configuration, observations: observations, overrides: [], vantage: nil,
                                             now: TestWorld.now)
            return SteeringSnapshot(assessment: assessment, locator: ClientLocator(configuration),
                                    vantage: configuration.regions[vantage], ramps: ramps)
        }
    }

    static let names: [RegionName] = ["alpha", "bravo", "charlie", "delta", "echo"]

    static let worlds = Gen.uint64().map(world(seed:))

    static func world(seed: UInt64) -> LoadedWorld {
        var random = SplitMix(seed: seed)
        let regions = (0..<Int(random.next() % 4 + 2)).map { index in
            TestWorld.region(names[index], at: GeoPoint(latitude: random.unit * 120 - 60, longitude: random.unit * 300 - 150)!,
                             index: index + 1, gateways: Int(random.next() % 3) + 1, weight: Double(random.next() % 3 + 1),
                             capacity: random.next() % 6 == 0 ? nil : Double(random.next() % 40 + 1) * 1000)
        }
        let regionNames = regions.map(\.name)
        let services = SteeringPolicy.allCases.map { policy in
            TestWorld.service(ServiceName(policy.rawValue)!, policy: policy, regions: regionNames.shuffled(using: &random))
        }
        let networks = (0..<Int(random.next() % 6 + 1)).map { index in
            ClientNetwork(name: NetworkName("net\(index)")!, prefixes: [TestWorld.prefix("10.\(index).0.0/16")],
                          location: NamedLocation(region: nil, point: GeoPoint(latitude: random.unit * 120 - 60,
                                                                              longitude: random.unit * 300 - 150)!),
                          load: Double(random.next() % 30) * 1000)
        }
        let configuration = Configuration(zone: DomainName("example.test")!, regions: regions, services: services,
                                          networks: networks)
        let observations = configuration.gateways.flatMap { gateway in
            regionNames.map { observer in
                Observation(gateway: gateway.name, observer: DirectorName(observer.rawValue)!,
                            verdict: random.next() % 5 == 0 ? .down : .up, latency: .milliseconds(Int64(random.next() % 80)),
                            at: TestWorld.now)
            }
        }
        let schedule = Failback(steps: [0.1, 0.5, 0.75, 1], hold: .seconds(30))
        let ramps = services.filter { _ in random.next() % 3 == 0 }.map { service in
            FailbackRamp(service: service.name, region: regionNames[Int(random.next() % UInt64(regionNames.count))],
                         schedule: schedule, step: Int(random.next() % 3), since: TestWorld.now, healthy: 1)
        }
        return LoadedWorld(configuration: configuration, observations: observations, ramps: FailbackRamps(ramps: ramps))
    }

    /// Every cell of the snapshot's grid for networks' buckets (not the unmatched one), IPv4.
    private func cells(_ snapshot: SteeringSnapshot, service: Int) -> [(bucket: Int, lane: Int, decision: Decision)] {
        (0..<(snapshot.grid.places.count - 1)).flatMap { bucket in
            (0..<ClientLanes.count).map { lane in
                (bucket, lane, snapshot.grid.decision(service: service, bucket: bucket, lane: lane, family: .v4))
            }
        }
    }

    @Test func sharesSumToOneAndLanesCarryThemOutWithinTwoPoints() async {
        await propertyCheck(count: 80, input: Self.worlds) { world in
            let snapshot = world.snapshot()
            for (index, _) in world.configuration.services.enumerated() {
                let cells = cells(snapshot, service: index)
                for bucket in Set(cells.map(\.bucket)) {
                    let lanes = cells.filter { $0.bucket == bucket }
                    let shares = lanes[0].decision.shares
                    guard lanes[0].decision.chosenRegion != nil else { continue }
                    #expect(abs(shares.values.reduce(0, +) - 1) < 1e-9)
                    for (region, share) in shares {
                        let carried = Double(lanes.filter { $0.decision.chosenRegion == region }.count) / Double(ClientLanes.count)
                        #expect(abs(carried - share) <= 0.02, "\(region): lanes carry \(carried), share \(share)")
                    }
                }
            }
        }
    }

    @Test func whenTheFleetHasRoomNoSiteIsPlannedOverItsHighWatermark() async {
        await propertyCheck(count: 100, input: Self.worlds) { world in
            let snapshot = world.snapshot()
            for (index, service) in world.configuration.services.enumerated() {
                guard let plan = snapshot.plan.plan(for: service.name), !plan.short else { continue }
                var carried: [RegionName: Double] = [:]
                for (bucket, load) in snapshot.grid.places.loads.enumerated() where load > 0 {
                    let decision = snapshot.grid.decision(service: index, bucket: bucket, lane: 0, family: .v4)
                    for (region, share) in decision.shares { carried[region, default: 0] += share * load }
                }
                for site in plan.sites {
                    #expect(abs((carried[site.region] ?? 0) - site.load) < 1e-6 * max(1, site.load))
                    guard let capacity = site.capacity, capacity > 0, service.spill else { continue }
                    if site.demand <= site.watermarks.high * capacity || !plan.receivers.isEmpty {
                        #expect(site.load <= site.watermarks.high * capacity * (1 + 1e-9) + 1e-6,
                                "\(service.name) \(site.region): \(site.load) of \(capacity)")
                    }
                }
            }
        }
    }

    @Test func theClientsMovedOnlyGrowAsTheShedShareGrows() async {
        await propertyCheck(count: 60, input: Self.worlds) { world in
            let light = world.snapshot(), heavy = world.scaled(by: 1.6).snapshot()
            for (index, service) in world.configuration.services.enumerated() {
                let before = cells(light, service: index), after = cells(heavy, service: index)
                for (old, new) in zip(before, after) {
                    for case .spilled(let from, _, _, _, _, _) in old.decision.notes {
                        let lighter = light.plan.plan(for: service.name)?.site(from)?.shed ?? 0
                        let heavier = heavy.plan.plan(for: service.name)?.site(from)?.shed ?? 0
                        guard heavier >= lighter else { continue }
                        #expect(new.decision.notes.contains { note in
                            if case .spilled(from, _, _, _, _, _) = note { true } else { false }
                        }, "\(service.name) lane \(old.lane) of bucket \(old.bucket) left \(from) at \(lighter) but not at \(heavier)")
                    }
                }
            }
        }
    }

    @Test func twoDirectorsGivenTheSameInputsAgreeOnEveryClient() async {
        await propertyCheck(count: 60, input: Self.worlds) { world in
            let first = world.snapshot(vantage: 0)
            let second = world.snapshot(vantage: world.configuration.regions.count - 1)
            #expect(first.plan.services == second.plan.services)
            for index in world.configuration.services.indices {
                for (a, b) in zip(cells(first, service: index), cells(second, service: index)) {
                    #expect(a.decision.chosenRegion == b.decision.chosenRegion && a.decision.addresses == b.decision.addresses)
                }
            }
        }
    }
}
