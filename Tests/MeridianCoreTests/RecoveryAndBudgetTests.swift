import Testing
@testable import MeridianCore

/// `simulate --recover`'s timeline, the adaptive TTL and `check --slo`'s failover budget.
struct RecoveryAndBudgetTests {
    let world = TestWorld.turkey()

    @Test("simulate --recover steps the region through its service's failback, with every site's load at each step")
    func recoveryTimeline() {
        let report = Simulation.recover(world, region: "istanbul")
        let nearest = report.services.first { $0.service == "nearest" }!
        #expect(nearest.timeline.map(\.atSeconds) == [nil, 0, 30, 60])
        #expect(nearest.timeline.map(\.share) == [0, 0.1, 0.5, 1])
        func load(_ moment: RecoveryMoment, _ region: String) -> Double {
            moment.sites.first { $0.region == region }!.load
        }
        // Istanbul's 9000 come back a share at a time; Ankara carries the rest.
        #expect(nearest.timeline.map { load($0, "istanbul") } == [0, 900, 4500, 9000])
        #expect(nearest.timeline.map { load($0, "ankara") } == [15000, 14100, 10500, 6000])
        #expect(nearest.timeline[1].event.contains("istanbul has 10% of its clients back"))
        #expect(nearest.timeline[3].event.contains("has all its clients back"))

        var immediate = world
        for index in immediate.services.indices { immediate.services[index].failback = .immediate }
        let off = Simulation.recover(immediate, region: "istanbul").services[0]
        #expect(off.timeline.map(\.share) == [0, 1])
        #expect(off.timeline[1].event.contains("at once (failback off)"))
    }

    func assessment(_ configuration: Configuration, down: Set<GatewayName> = [], struck: GatewayName? = nil,
                    at seconds: Int64 = 0) -> Assessment {
        let now = TestWorld.now + .seconds(seconds)
        var observations = TestWorld.observations(configuration, down: down, at: now)
        if let struck {
            for index in observations.indices where observations[index].gateway == struck {
                observations[index].consecutiveFailures = 1
            }
        }
        return TestWorld.assess(configuration, observations: observations, now: now)
    }

    @Test("answers carry ttl-min while a site is in doubt, and ttl once it is stable")
    func adaptiveTTL() {
        var configuration = TestWorld.turkey(istanbulGateways: 3)
        configuration.services[0].ttlMin = 5
        let service = configuration.services[0]
        func judge(_ assessment: Assessment, ramps: FailbackRamps = FailbackRamps(),
                   changes: GatewayChanges = GatewayChanges()) -> AnswerTTL {
            AnswerTTL.judge(service, in: assessment, ramps: ramps, changes: changes)
        }
        #expect(judge(assessment(configuration)) == AnswerTTL(ttl: 30, doubt: nil))
        let struck = judge(assessment(configuration, struck: "istanbul-2"))
        #expect(struck.ttl == 5 && struck.doubt?.hasPrefix("istanbul-2 failed its latest probe") == true)
        // Three gateways at min-healthy 50 %: with one down, one more would take Istanbul under it.
        let near = judge(assessment(configuration, down: ["istanbul-1"]))
        #expect(near.ttl == 5 && near.doubt == "istanbul is one gateway away from min-healthy 50%")

        var changes = GatewayChanges()
        changes.update(assessment(configuration), now: TestWorld.now)
        #expect(changes.changedAt.isEmpty, "what a director finds at its start is no change")
        let down = assessment(configuration, down: ["ankara-1", "ankara-2"], at: 10)
        changes.update(down, now: down.at)
        let back = assessment(configuration, at: 20)
        changes.update(back, now: back.at)
        let later = assessment(configuration, at: 30)
        #expect(judge(later, changes: changes).doubt == "a gateway of ankara changed state 10s ago")
        #expect(AnswerTTL.settles(service, in: later, changes: changes) == back.at + AnswerTTL.settling)
        let settled = assessment(configuration, at: 20 + 300)
        #expect(judge(settled, changes: changes).ttl == 30)

        var ramps = FailbackRamps()
        _ = ramps.update(assessment(configuration, at: -1), now: TestWorld.now - .seconds(1))
        _ = ramps.update(assessment(configuration, down: TestWorld.gateways(of: "istanbul", in: configuration)), now: TestWorld.now)
        _ = ramps.update(assessment(configuration, at: 1), now: TestWorld.now + .seconds(1))
        #expect(judge(assessment(configuration, at: 1), ramps: ramps).doubt == "istanbul is failing back (10% of its clients back)")

        var plain = configuration
        plain.services[0].ttlMin = 30
        #expect(AnswerTTL.judge(plain.services[0], in: assessment(plain, struck: "istanbul-2"), ramps: ramps,
                                changes: changes).ttl == 30, "without ttl-min, no doubt changes the TTL")
    }

    @Test("the snapshot's decisions, prebuilt and single, carry the service's TTL now")
    func decisionsCarryTheTTL() {
        var configuration = world
        configuration.services[0].ttlMin = 5
        let snapshot = SteeringSnapshot(assessment: assessment(configuration, struck: "ankara-1"),
                                        locator: ClientLocator(configuration), vantage: configuration.regions[0])
        #expect(snapshot.grid.decision(service: 0, bucket: 0, lane: 0, family: .v4).ttl == 5)
        #expect(snapshot.grid.decision(service: 1, bucket: 0, lane: 0, family: .v4).ttl == 30)
        let single = snapshot.decide(configuration.services[0], for: IPAddress("10.34.1.1")!)
        #expect(single.ttl == 5 && single.ttlDoubt?.contains("ankara-1") == true)
    }

    @Test("the failover budget is the sum of its terms, and names the largest when over the slo")
    func failoverBudget() {
        var configuration = world
        configuration.services[0].ttl = 60
        configuration.services[0].slo = .seconds(30)
        let budget = FailoverBudget(configuration.services[0], in: configuration, resolverFloor: .seconds(90))
        #expect(budget.terms.map(\.name) == ["detection", "timeout", "propagation", "ttl", "resolver floor"])
        #expect(budget.terms.map(\.seconds) == [2, 0.5, 1.01, 60, 30])
        #expect(budget.seconds == budget.terms.map(\.seconds).reduce(0, +))
        #expect(budget.isOver && budget.largest?.name == "ttl" && budget.sloSeconds == 30)
        #expect(budget.text == "93.51s = detection 2s + timeout 0.5s + propagation 1.01s + ttl 60s + resolver floor 30s")

        let other = FailoverBudget(configuration.services[1], in: configuration, slo: .seconds(60))
        #expect(!other.isOver && other.sloSeconds == 60 && other.largest?.name == "ttl")
        #expect(FailoverBudget(configuration.services[1], in: configuration).sloSeconds == nil)
    }
}
