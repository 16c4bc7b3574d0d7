import Foundation
import Testing
@testable import MeridianCore

@Suite("Peer report check")
struct PeerReportCheckTests {
    let configuration = TestWorld.turkey()
    let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
    var check: PeerReportCheck { PeerReportCheck(configuration: configuration, maximumSkew: .seconds(30)) }

    func observation(_ gateway: GatewayName = "istanbul-1", by observer: DirectorName = "ankara", latency: Duration? = .milliseconds(12),
                     successes: Int = 3, failures: Int = 0, at offset: Duration = .zero) -> Observation {
        Observation(gateway: gateway, observer: observer, verdict: .up, latency: latency, consecutiveSuccesses: successes,
                    consecutiveFailures: failures, at: now + offset)
    }

    func write(_ target: Override.Target = .region("istanbul"), reason: String = "drill", author: String = "ops",
               at offset: Duration = .zero) -> OverrideTable.Write {
        OverrideTable.Write(Override(target: target, action: .down, reason: reason, author: author, setAt: now + offset))
    }

    func report(from sender: DirectorName = "ankara", sentAt offset: Duration = .zero, observations: [Observation]? = nil,
                overrides: [OverrideTable.Write] = []) -> PeerReport {
        PeerReport(from: sender, sentAt: now + offset, fingerprint: "", observations: observations ?? [observation(), observation("ankara-1")],
                   overrides: overrides)
    }

    func reason(_ report: PeerReport) -> PeerReportRefusal.Reason? {
        guard case .failure(let refusal) = check.check(report, from: "ankara", at: now) else { return nil }
        return refusal.reason
    }

    @Test("a report of the sender's own observations and sound overrides is taken whole")
    func sound() {
        let sound = report(overrides: [write(), write(.gateway("ankara-2"), at: .seconds(-3600))])
        #expect(check.check(sound, from: "ankara", at: now) == .success(sound))
        #expect(reason(report(observations: [])) == nil, "a director that has probed nothing yet")
    }

    @Test("a report naming another sender, or made far from this director's clock, is refused")
    func senderAndTime() {
        #expect(reason(report(from: "istanbul")) == .wrongSender)
        #expect(reason(report(sentAt: .seconds(31))) == .badTime)
        #expect(reason(report(sentAt: .seconds(-31))) == .badTime)
        #expect(reason(report(sentAt: .seconds(29))) == nil)
        var long = report()
        long.fingerprint = String(repeating: "f", count: PeerReportCheck.longestFingerprint + 1)
        #expect(reason(long) == .badFingerprint)
    }

    @Test("a report announcing a release that cannot be one is refused; one without an announcement is taken")
    func announcedRelease() {
        var announcing = report()
        announcing.release = ConfigurationAnnouncement(serial: 3, fingerprint: "sha256:" + String(repeating: "a", count: 64),
                                                       author: "ayse", madeAt: now, signer: "istanbul")
        #expect(reason(announcing) == nil)
        announcing.release?.serial = ConfigurationAnnouncement.largestSerial + 1
        #expect(reason(announcing) == .badRelease)
        announcing.release?.serial = 3
        announcing.release?.author = String(repeating: "a", count: 201)
        #expect(reason(announcing) == .badRelease)
        #expect(reason(report()) == nil)
    }

    @Test("observations that are not the sender's own, or not of a configured gateway, or twice, are refused")
    func foreignAndUnknown() {
        #expect(reason(report(observations: [observation(by: "istanbul")])) == .foreignObserver, "speaking for the receiver")
        #expect(reason(report(observations: [observation(by: "izmir")])) == .foreignObserver)
        #expect(reason(report(observations: [observation("nowhere-1")])) == .unknownGateway)
        #expect(reason(report(observations: [observation(), observation(at: .seconds(-1))])) == .duplicate)
    }

    @Test("absurd times, latencies and counts are refused")
    func absurdNumbers() {
        let latest = Timestamp(nanosecondsSinceEpoch: .max), earliest = Timestamp(nanosecondsSinceEpoch: .min)
        #expect(reason(report(observations: [observation(at: latest - now)])) == .badTime)
        #expect(reason(report(observations: [observation(at: earliest - now)])) == .badTime)
        #expect(reason(report(observations: [observation(at: .seconds(31))])) == .badTime)
        #expect(reason(report(observations: [observation(at: .seconds(-86_401))])) == .badTime)
        #expect(reason(report(observations: [observation(at: .seconds(-600))])) == nil, "old but plausible")
        #expect(reason(report(observations: [observation(latency: .nanoseconds(Int64.max))])) == .badLatency)
        #expect(reason(report(observations: [observation(latency: .nanoseconds(-1))])) == .badLatency)
        #expect(reason(report(observations: [observation(successes: -1)])) == .badCount)
        #expect(reason(report(observations: [observation(failures: Int.max)])) == .badCount)
    }

    @Test("override writes get the operator's checks: known target, bounded text, bounded count, not from the future")
    func overrideWrites() {
        #expect(reason(report(overrides: [write(.region("izmir"))])) == .badOverride)
        #expect(reason(report(overrides: [write(.gateway("nowhere-1"))])) == .badOverride)
        #expect(reason(report(overrides: [write(reason: String(repeating: "x", count: 1_000_000))])) == .badOverride)
        #expect(reason(report(overrides: [write(author: String(repeating: "é", count: 101))])) == .badOverride, "bytes, not characters")
        #expect(reason(report(overrides: [write(reason: String(repeating: "x", count: 1000))])) == nil)
        #expect(reason(report(overrides: [write(at: .seconds(31))])) == .badTime)
        #expect(reason(report(overrides: [write(), write(at: .seconds(-1))])) == .duplicate)
        let many = (0..<100_000).map { write(at: .nanoseconds($0)) }
        #expect(reason(report(overrides: many)) == .tooManyOverrides)
    }

    @Test("a write older than the clear-keeping window is set aside, and the rest of the report still counts")
    func oldWritesSetAside() {
        let old = write(.region("ankara"), at: .zero - OverrideTable.clearanceLifetime - .seconds(1))
        let recent = write()
        guard case .success(let taken) = check.check(report(overrides: [old, recent]), from: "ankara", at: now) else {
            Issue.record("refused")
            return
        }
        #expect(taken.overrides == [recent])
        #expect(taken.observations.count == 2)
    }

    @Test("the body limit grows with the configuration and holds a report at its largest")
    func bodyLimit() throws {
        let small = PeerReportCheck.largestBody(for: configuration)
        let larger = PeerReportCheck.largestBody(for: TestWorld.turkey(istanbulGateways: 10))
        #expect(larger > small)
        let longest = configuration.gateways.map { gateway in
            Observation(gateway: gateway.name, observer: "ankara", verdict: .down, latency: .nanoseconds(Int64.max),
                        consecutiveSuccesses: Int.max, consecutiveFailures: Int.max, at: Timestamp(nanosecondsSinceEpoch: .min))
        }
        let targets = configuration.regions.map { Override.Target.region($0.name) } + configuration.gateways.map { .gateway($0.name) }
        let writes = targets.map { target in
            OverrideTable.Write(Override(target: target, action: .drain, reason: String(repeating: "\u{1}", count: OverrideRules.longestReason),
                                         author: String(repeating: "\"", count: OverrideRules.longestAuthor),
                                         setAt: Timestamp(nanosecondsSinceEpoch: .min), expiresAt: Timestamp(nanosecondsSinceEpoch: .min)))
        }
        let body = try JSONEncoder().encode(PeerReport(from: "istanbul", sentAt: Timestamp(nanosecondsSinceEpoch: .min),
                                                      fingerprint: String(repeating: "f", count: PeerReportCheck.longestFingerprint), observations: longest, overrides: writes))
        #expect(body.count <= small)
    }
}
