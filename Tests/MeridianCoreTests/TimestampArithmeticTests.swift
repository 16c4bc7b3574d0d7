import Foundation
import Testing
@testable import MeridianCore

@Suite("Saturating time arithmetic")
struct TimestampArithmeticTests {
    let latest = Timestamp(nanosecondsSinceEpoch: .max)
    let earliest = Timestamp(nanosecondsSinceEpoch: .min)
    let now = Timestamp(secondsSinceEpoch: 1_800_000_000)

    @Test("adding or taking a duration holds at the ends of the range")
    func addingAndSubtracting() {
        #expect(latest + .seconds(1) == latest)
        #expect(earliest - .seconds(1) == earliest)
        #expect(earliest + .seconds(-1) == earliest)
        #expect(latest - .seconds(-1) == latest)
        #expect(now + .seconds(1) == Timestamp(secondsSinceEpoch: 1_800_000_001), "in range, exact")
        #expect(now - .milliseconds(1) == Timestamp(nanosecondsSinceEpoch: 1_799_999_999_999_000_000))
    }

    @Test("the time between two extreme moments is held at 292 years either way")
    func differences() {
        #expect(latest - earliest == .nanoseconds(Int64.max))
        #expect(earliest - latest == .nanoseconds(Int64.min))
        #expect(latest - now < .seconds(Int64.max / 1_000_000_000 + 1))
        #expect(now - (now - .seconds(90)) == .seconds(90))
    }

    @Test("whole seconds and microseconds beyond the range hold at its ends")
    func conversions() {
        #expect(Timestamp(secondsSinceEpoch: .max) == latest)
        #expect(Timestamp(secondsSinceEpoch: .min) == earliest)
        #expect(Timestamp(microsecondsSinceEpoch: .max) == latest)
        #expect(Timestamp(microsecondsSinceEpoch: -Int64.max) == earliest)
        #expect(Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000) == now)
    }

    @Test("a duration far beyond 292 years (as JSON can carry) reads as the largest one, and does not trap")
    func hugeDurations() throws {
        let huge = try JSONDecoder().decode(Duration.self, from: Data("[9223372036854775807, 18446744073709551615]".utf8))
        #expect(huge.nanoseconds == .max)
        #expect(huge.seconds == Double(Int64.max) / 1e9)
        let negative = try JSONDecoder().decode(Duration.self, from: Data("[-9223372036854775808, 0]".utf8))
        #expect(negative.nanoseconds == .min)
        #expect(negative.milliseconds < 0)
        #expect(now + huge == latest)
        #expect(now - huge - huge == earliest)
        #expect(!huge.shortDescription.isEmpty && !negative.shortDescription.isEmpty)
        #expect(Duration.seconds(2).nanoseconds == 2_000_000_000 && Duration.milliseconds(-3).nanoseconds == -3_000_000)
    }

    @Test("a latency average fed extreme samples holds at the ends instead of trapping")
    func latencyExtremes() {
        var average = LatencyAverage()
        average.add(.nanoseconds(Int64.min))
        average.add(.nanoseconds(Int64.max))
        average.add(.nanoseconds(Int64.max))
        #expect(average.value != nil)
        var big = LatencyAverage(smoothing: 1)
        big.add(.nanoseconds(Int64.min))
        big.add(.nanoseconds(Int64.max))
        #expect(big.value == .nanoseconds(Int64.max))
    }

    @Test("consensus and overrides with times at the ends of the range decide without trapping")
    func decisionsAtTheExtremes() {
        let configuration = TestWorld.turkey()
        let observations = configuration.gateways.enumerated().map { index, gateway in
            Observation(gateway: gateway.name, observer: "ankara", verdict: .down, latency: .nanoseconds(Int64.max),
                        at: index % 2 == 0 ? latest : earliest)
        }
        let view = Consensus.evaluate(configuration, observations: observations, vantage: "istanbul", peers: ["ankara"], now: now)
        #expect(view.gateways.values.allSatisfy { $0.verdict == .unknown }, "neither far past nor far future is fresh")
        let overrides = [
            Override(target: .region("istanbul"), action: .drain, reason: "r", author: "a", setAt: earliest),
            Override(target: .region("ankara"), action: .drain, reason: "r", author: "a", setAt: latest, expiresAt: latest),
        ]
        let set = OverrideSet(overrides, at: now, drainGrace: .seconds(300))
        #expect(set.override(for: .region("istanbul"))?.action == .down, "a drain from the far past has had its grace")
        #expect(set.override(for: .region("ankara"))?.action == .drain)
        var table = OverrideTable([.clear(.region("ankara"), reason: "r", author: "a", at: latest)])
        table.prune(at: now)
        #expect(table.all.count == 1)
    }
}
