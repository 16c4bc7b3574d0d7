import Testing
@testable import MeridianCore

struct GatewayHealthTests {
    private var clock = TestWorld.now

    /// Feeds results ("S" success, "F" failure) one second apart and returns the verdict after each.
    private func run(_ pattern: String, rise: Int = 2, fall: Int = 3) -> (GatewayHealth, [Verdict]) {
        var health = GatewayHealth(rise: rise, fall: fall)
        var verdicts: [Verdict] = []
        for (index, step) in pattern.enumerated() {
            let at = TestWorld.now + .seconds(index)
            _ = health.record(step == "S" ? .success(at: at, latency: .milliseconds(10)) : .failure(at: at, error: "refused"))
            verdicts.append(health.verdict)
        }
        return (health, verdicts)
    }

    @Test func theFirstProbeDecidesAtOnce() {
        #expect(run("S").1 == [.up])
        #expect(run("F").1 == [.down])
        #expect(GatewayHealth(rise: 2, fall: 3).verdict == .unknown)
    }

    @Test func anUpGatewayGoesDownAtExactlyFallFailures() {
        let (_, verdicts) = run("SFFF", fall: 3)
        #expect(verdicts == [.up, .up, .up, .down])
        #expect(run("SFF", fall: 3).1.last == .up)
    }

    @Test func aDownGatewayComesUpAtExactlyRiseSuccessesInARow() {
        #expect(run("FSS", rise: 3).1.last == .down)
        #expect(run("FSSS", rise: 3).1 == [.down, .down, .down, .up])
        // A failure in between restarts the count.
        #expect(run("FSSFSS", rise: 3).1.last == .down)
        #expect(run("FSSFSSS", rise: 3).1.last == .up)
    }

    @Test func aFlappingGatewayGoesDownWhereConsecutiveCountingWouldNot() {
        // Fails every other probe: never two failures in a row, yet it must go down after `fall` strikes.
        let (_, verdicts) = run("SFSFSF", rise: 2, fall: 3)
        #expect(verdicts == [.up, .up, .up, .up, .up, .down])
    }

    @Test func riseSuccessesInARowClearTheStrikes() {
        // Two strikes, then two successes in a row (rise 2) clear them: two more failures are not enough.
        let (health, verdicts) = run("SFFSSFF", rise: 2, fall: 3)
        #expect(verdicts.last == .up)
        #expect(health.strikes == 2)
        #expect(run("SFFSSFFF", rise: 2, fall: 3).1.last == .down)
    }

    @Test func changesAreReportedOnceWithAReason() {
        var health = GatewayHealth(rise: 1, fall: 1)
        let first = health.record(.success(at: TestWorld.now, latency: .milliseconds(5)))
        #expect(first?.from == .unknown && first?.to == .up)
        #expect(health.record(.success(at: TestWorld.now + .seconds(1), latency: .milliseconds(5))) == nil)
        let down = health.record(.failure(at: TestWorld.now + .seconds(2), error: "connection refused"))
        #expect(down?.to == .down)
        #expect(down?.reason.contains("connection refused") == true)
        #expect(health.since == TestWorld.now + .seconds(2))
    }

    @Test func onlySuccessesFeedTheLatencyAverage() {
        var health = GatewayHealth(rise: 2, fall: 3)
        _ = health.record(.success(at: TestWorld.now, latency: .milliseconds(10)))
        _ = health.record(.failure(at: TestWorld.now, latency: .milliseconds(500), error: "timeout"))
        #expect(health.latency.value == .milliseconds(10))
        _ = health.record(.success(at: TestWorld.now, latency: .milliseconds(20)))
        #expect(health.latency.value == .milliseconds(13))
    }

    @Test func theAverageConvergesOnAStepChange() {
        var average = LatencyAverage()
        average.add(.milliseconds(100))
        for _ in 0..<20 { average.add(.milliseconds(10)) }
        #expect(abs(average.value!.milliseconds - 10) < 0.1)
    }

    @Test func anObservationCarriesTheCountsAndTheTimeOfTheLastProbe() {
        var health = GatewayHealth(rise: 2, fall: 3)
        #expect(health.observation(of: "ist-1", by: "istanbul") == nil)
        _ = health.record(.failure(at: TestWorld.now, error: "refused"))
        _ = health.record(.failure(at: TestWorld.now + .seconds(1), error: "refused"))
        let observation = health.observation(of: "ist-1", by: "istanbul")
        #expect(observation?.verdict == .down)
        #expect(observation?.consecutiveFailures == 2)
        #expect(observation?.at == TestWorld.now + .seconds(1))
    }
}
