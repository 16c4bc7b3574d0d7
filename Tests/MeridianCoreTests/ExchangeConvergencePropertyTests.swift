import PropertyBased
import Testing
@testable import MeridianCore

/// Two directors exchanging over a channel that drops, duplicates and reorders frames, while one
/// changes its verdicts, latencies and overrides at random, reopens its stream and restarts: once
/// the channel is clean again, each holds exactly what the other sent, within a few heartbeats.
struct ExchangeConvergencePropertyTests {
    typealias Ledger = ExchangeLedger<DirectorName>

    /// One generated run: its seed and how hostile its channel is.
    struct Run: Sendable, CustomStringConvertible {
        var seed: UInt64
        var steps: Int
        var dropShare: UInt64
        var duplicateShare: UInt64
        var reorder: Bool

        var description: String { "seed \(seed), \(steps) steps, drop 1/\(dropShare), duplicate 1/\(duplicateShare), reorder \(reorder)" }
    }

    static let runs = Gen.uint64().map { seed -> Run in
        var random = SplitMix(seed: seed)
        return Run(seed: seed, steps: Int(random.next() % 60) + 5, dropShare: random.next() % 5 + 2,
                   duplicateShare: random.next() % 6 + 2, reorder: random.next() % 3 != 0)
    }

    static let configuration = TestWorld.turkey(istanbulGateways: 6, ankaraGateways: 5)
    static let interval = Duration.seconds(1)

    /// A channel of frames in flight from one director to the other.
    struct Channel {
        var inFlight: [ExchangeFrame] = []

        mutating func send(_ frames: [ExchangeFrame], run: Run, random: inout SplitMix, clean: Bool) {
            for frame in frames {
                if !clean, random.next() % run.dropShare == 0 { continue }
                inFlight.append(frame)
                if !clean, random.next() % run.duplicateShare == 0 { inFlight.append(frame) }
            }
            if !clean, run.reorder, inFlight.count > 1 { inFlight.shuffle(using: &random) }
        }

        mutating func deliver(to ledger: inout Ledger, from sender: DirectorName, at now: Timestamp) {
            let frames = inFlight
            inFlight = []
            for frame in frames { _ = ledger.receive(frame, from: sender, at: now) }
        }
    }

    /// A random own view of Istanbul's director: verdicts, latencies and a few override writes.
    static func view(_ random: inout SplitMix, at now: Timestamp) -> (observations: [Observation], overrides: [OverrideTable.Write]) {
        let observations = configuration.gateways.compactMap { gateway -> Observation? in
            guard random.next() % 12 != 0 else { return nil }
            return Observation(gateway: gateway.name, observer: "istanbul", verdict: [.up, .down, .unknown][Int(random.next() % 3)],
                               latency: random.next() % 4 == 0 ? nil : .microseconds(Int64(random.next() % 90_000)), at: now)
        }
        let targets: [Override.Target] = [.region("ankara"), .region("istanbul"), .gateway("ankara-1")]
        let overrides = targets.compactMap { target -> OverrideTable.Write? in
            guard random.next() % 3 == 0 else { return nil }
            return OverrideTable.Write(Override(target: target, action: .down, reason: "r\(random.next() % 4)", author: "ops",
                                                setAt: now - .seconds(Int64(random.next() % 100))), cleared: random.next() % 2 == 0)
        }
        return (observations, overrides)
    }

    @Test func replicasConvergeAfterDropsReordersDuplicatesAndRestarts() async {
        await propertyCheck(count: 300, input: Self.runs) { run in
            var random = SplitMix(seed: run.seed)
            var now = TestWorld.now
            var epoch: UInt64 = 1
            var istanbul = Ledger(epoch: epoch, settings: .init(configuration: Self.configuration))
            var ankara = Ledger(epoch: 1000, settings: .init(configuration: Self.configuration))
            var toAnkara = Channel(), toIstanbul = Channel()
            var view = Self.view(&random, at: now)
            let ankaraView = TestWorld.observations(Self.configuration, by: ["ankara"], at: now)
            for step in 0..<(run.steps + 12) {
                let clean = step >= run.steps
                now = now + .milliseconds(Int64(random.next() % 700) + (clean ? 1000 : 10))
                if !clean {
                    switch random.next() % 20 {
                    case 0:
                        epoch += 1
                        istanbul = Ledger(epoch: epoch, settings: .init(configuration: Self.configuration))
                    case 1:
                        istanbul.streamReopened(to: "ankara")
                    case 2...9:
                        view = Self.view(&random, at: now)
                    default:
                        break
                    }
                }
                istanbul.sync(observations: view.observations.map { var o = $0; o.at = now; return o }, overrides: view.overrides, at: now)
                ankara.sync(observations: ankaraView.map { var o = $0; o.at = now; return o }, overrides: [], at: now)
                toAnkara.send(istanbul.frames(for: "ankara", at: now), run: run, random: &random, clean: clean)
                toIstanbul.send(ankara.frames(for: "istanbul", at: now), run: run, random: &random, clean: clean)
                toAnkara.deliver(to: &ankara, from: "istanbul", at: now)
                toIstanbul.deliver(to: &istanbul, from: "ankara", at: now)
            }
            let replica = ankara.replicas["istanbul"]
            #expect(replica?.epoch == epoch, "\(run)")
            #expect(replica?.sequence == istanbul.sequence, "\(run)")
            #expect(replica?.digest.value == istanbul.digest, "\(run)")
            let held = Set((replica?.observations(by: "istanbul") ?? []).map { ExchangeChange.observation(.init(
                gateway: $0.gateway, verdict: $0.verdict, latency: $0.latency.map(ExchangeLatency.init(quantizing:)))) })
            let sent = Set(istanbul.log.snapshot.filter { if case .observation = $0 { true } else { false } })
            #expect(held == sent, "\(run)")
            #expect(Set(replica?.overrides ?? []) == Set(view.overrides), "\(run)")
            #expect(ankara.replicas["istanbul"]?.heardAt == now, "\(run)")
            #expect(istanbul.replicas["ankara"]?.digest.value == ankara.digest, "\(run)")
        }
    }
}
