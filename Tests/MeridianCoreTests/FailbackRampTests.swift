import PropertyBased
import Testing
@testable import MeridianCore

/// Staged failback: a site that comes back gets its clients in steps, steps back when its probes
/// fail again or it is overloaded, and stops when it is unavailable again.
struct FailbackRampTests {
    let world = TestWorld.turkey()
    let istanbul = TestWorld.gateways(of: "istanbul", in: TestWorld.turkey())

    func assess(down: Set<GatewayName> = [], at seconds: Int64) -> Assessment {
        let now = TestWorld.now + .seconds(seconds)
        return TestWorld.assess(world, observations: TestWorld.observations(world, down: down, at: now), now: now)
    }

    /// Ramps that saw Istanbul down at 0 s and back at 10 s.
    func cameBack() -> (ramps: FailbackRamps, events: [FailbackEvent]) {
        var ramps = FailbackRamps()
        #expect(ramps.update(assess(at: -10), now: TestWorld.now - .seconds(10)).isEmpty)
        _ = ramps.update(assess(down: istanbul, at: 0), now: TestWorld.now)
        let events = ramps.update(assess(at: 10), now: TestWorld.now + .seconds(10))
        return (ramps, events)
    }

    @Test("a site that comes back has 10 %, then 50 % of its clients, each held 30 s, then all of them")
    func rampsUp() {
        var (ramps, events) = cameBack()
        #expect(events.map(\.kind) == Array(repeating: .started, count: SteeringPolicy.allCases.count))
        #expect(events.allSatisfy { $0.region == "istanbul" && $0.share == 0.1 })
        #expect(events[0].text.contains("istanbul has 10% of its clients back (it came back: 2 of 2 gateways healthy)"))
        #expect(ramps.shares["nearest"] == ["istanbul": 0.1])
        #expect(ramps.nextChange == TestWorld.now + .seconds(40))

        #expect(ramps.update(assess(at: 39), now: TestWorld.now + .seconds(39)).isEmpty)
        let advanced = ramps.update(assess(at: 40), now: TestWorld.now + .seconds(40))
        #expect(advanced.allSatisfy { $0.kind == .advanced && $0.share == 0.5 })
        #expect(ramps.ramp("nearest", "istanbul")?.share == 0.5)
        #expect(ramps.nextChange == TestWorld.now + .seconds(70))

        let completed = ramps.update(assess(at: 70), now: TestWorld.now + .seconds(70))
        #expect(completed.allSatisfy { $0.kind == .completed && $0.share == 1 })
        #expect(ramps.ramps.isEmpty && ramps.nextChange == nil)
    }

    @Test("while failing back, a site gets its step's share of the clients the policy sends it")
    func steersTheShare() {
        let (ramps, _) = cameBack()
        let snapshot = SteeringSnapshot(assessment: assess(at: 10), locator: ClientLocator(world),
                                        vantage: world.region("istanbul"), ramps: ramps)
        let service = world.services.first { $0.name == "nearest" }!
        let metro = (0..<1000).map { IPAddress("10.34.\($0 / 250).\($0 % 250)")! }
        let home = metro.filter { snapshot.decide(service, for: $0).chosenRegion == "istanbul" }.count
        #expect(abs(Double(home) / 1000 - 0.1) < 0.03)
        #expect(snapshot.plan.plan(for: "nearest")?.site("istanbul")?.failback == 0.1)
        #expect(snapshot.ramps.nextChange == TestWorld.now + .seconds(40))
        #expect(snapshot.nextChange == [snapshot.assessment.nextChange!, TestWorld.now + .seconds(40)].min())
    }

    @Test("a gateway that fails during the ramp steps it back; the site going down stops it, and it starts over")
    func stepsBack() {
        var (ramps, _) = cameBack()
        _ = ramps.update(assess(at: 40), now: TestWorld.now + .seconds(40))
        let back = ramps.update(assess(down: ["istanbul-1"], at: 45), now: TestWorld.now + .seconds(45))
        #expect(back.allSatisfy { $0.kind == .steppedBack && $0.share == 0.1 })
        #expect(back[0].text.contains("its probes failed again: 1 of 2 gateways healthy"))
        #expect(ramps.nextChange == TestWorld.now + .seconds(75), "the step back restarts the hold")
        #expect(ramps.update(assess(at: 50), now: TestWorld.now + .seconds(50)).isEmpty, "a gateway back is no step")

        let stopped = ramps.update(assess(down: istanbul, at: 55), now: TestWorld.now + .seconds(55))
        #expect(stopped.allSatisfy { $0.kind == .interrupted && $0.share == 0 })
        #expect(ramps.ramps.isEmpty)
        let again = ramps.update(assess(at: 60), now: TestWorld.now + .seconds(60))
        #expect(again.allSatisfy { $0.kind == .started && $0.share == 0.1 })
    }

    @Test("a site whose load passes its high watermark steps back; an operator can end the ramp")
    func overloadAndSkip() {
        var (ramps, _) = cameBack()
        _ = ramps.update(assess(at: 40), now: TestWorld.now + .seconds(40))
        // Load readings lag: an overload a second into the step does not count yet; ten seconds in, it does.
        #expect(ramps.update(assess(at: 41), overloaded: ["nearest": ["istanbul"]], now: TestWorld.now + .seconds(41)).isEmpty)
        let back = ramps.update(assess(at: 51), overloaded: ["nearest": ["istanbul"]], now: TestWorld.now + .seconds(51))
        guard back.count == 1 else {
            Issue.record("expected one step back, got \(back)")
            return
        }
        #expect(back.map(\.service) == ["nearest"] && back[0].kind == .steppedBack && back[0].share == 0.1)
        #expect(back[0].reason == "its load passed its high watermark")
        #expect(ramps.ramp("weighted", "istanbul")?.share == 0.5)

        let skipped = ramps.finish("istanbul", by: "alice")
        #expect(skipped.count == SteeringPolicy.allCases.count && skipped.allSatisfy { $0.kind == .skipped })
        #expect(ramps.ramps.isEmpty)
    }

    @Test("no ramp at a director's first look, for a site it has not yet seen available, for failback off, or for a service the site left")
    func noRamp() {
        var ramps = FailbackRamps()
        #expect(ramps.update(assess(down: istanbul, at: -2), now: TestWorld.now - .seconds(2)).isEmpty)
        #expect(ramps.update(assess(at: -1), now: TestWorld.now - .seconds(1)).isEmpty, "starting, not coming back")
        #expect(ramps.update(assess(at: 0), now: TestWorld.now).isEmpty)
        var immediate = world
        for index in immediate.services.indices where index > 0 { immediate.services[index].failback = .immediate }
        _ = ramps.update(TestWorld.assess(immediate, observations: TestWorld.observations(immediate, down: istanbul)),
                         now: TestWorld.now)
        let events = ramps.update(TestWorld.assess(immediate), now: TestWorld.now + .seconds(1))
        #expect(events.map(\.service) == [immediate.services[0].name])
        immediate.services[0].regions = ["ankara"]
        #expect(ramps.update(TestWorld.assess(immediate), now: TestWorld.now + .seconds(2)).isEmpty)
        #expect(ramps.ramps.isEmpty)
    }

    @Test("over random histories, a ramp only moves one step at a time, steps back only on a failure or overload, and completes otherwise")
    func randomHistories() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var random = SplitMix(seed: seed)
            var ramps = FailbackRamps()
            var last: Double? = nil
            var healthy = 2
            var clock: Int64 = 0
            for _ in 0..<40 {
                clock += Int64(random.next() % 20)
                let roll = random.next() % 10
                let now = roll < 7 ? 2 : (roll < 9 ? 1 : 0)
                let overloaded = random.next() % 12 == 0
                let down: Set<GatewayName> = now == 2 ? [] : (now == 1 ? ["istanbul-1"] : istanbul)
                let events = ramps.update(assess(down: down, at: clock),
                                          overloaded: overloaded ? ["nearest": ["istanbul"]] : [:],
                                          now: TestWorld.now + .seconds(clock))
                let share = ramps.ramp("nearest", "istanbul")?.share
                let steps = Failback.standard.steps
                if let share, let last, let before = steps.firstIndex(of: last), let after = steps.firstIndex(of: share) {
                    #expect(abs(after - before) <= 1)
                    if after < before { #expect(overloaded || now < healthy) }
                }
                if now == 0 { #expect(share == nil) }
                #expect(events.filter { $0.service == "nearest" }.count <= 1)
                last = share
                healthy = now
            }
            // Healthy and quiet from here: the ramp, if any, completes within its steps' holds.
            for _ in 0..<3 {
                clock += 30
                _ = ramps.update(assess(at: clock), now: TestWorld.now + .seconds(clock))
            }
            #expect(ramps.ramps.isEmpty)
        }
    }
}
