import Testing
@testable import MeridianCore

@Suite("Exchange ledger")
struct ExchangeLedgerTests {
    typealias Ledger = ExchangeLedger<DirectorName>
    let configuration = TestWorld.turkey()
    let now = TestWorld.now

    func ledger(epoch: UInt64 = 1) -> Ledger {
        Ledger(epoch: epoch, settings: .init(configuration: configuration))
    }

    func own(down: Set<GatewayName> = [], latency: Duration = .milliseconds(20), at time: Timestamp? = nil) -> [Observation] {
        TestWorld.observations(configuration, down: down, by: ["istanbul"], at: time ?? now, latency: { _, _ in latency })
    }

    /// Every frame `from` has for `to` at `time`, taken by `to`; what the last one changed.
    @discardableResult
    func deliver(_ from: inout Ledger, _ sender: DirectorName, to: inout Ledger, _ receiver: DirectorName, at time: Timestamp) -> Ledger.Reception {
        var last = Ledger.Reception()
        for frame in from.frames(for: receiver, at: time) { last = to.receive(frame, from: sender, at: time) }
        return last
    }

    func kinds(_ frames: [ExchangeFrame]) -> [String] {
        frames.map { frame in
            switch frame.body {
            case .heartbeat: "heartbeat"
            case .delta(let delta): "delta \(delta.since)-\(delta.upTo) \(delta.changes.count)"
            case .snapshot(let snapshot): "snapshot \(snapshot.sequence) \(snapshot.changes.count)"
            case .request(.snapshot): "request snapshot"
            case .request(.changes(_, let since)): "request since \(since)"
            case .leaving: "leaving"
            }
        }
    }

    @Test("a peer gets a snapshot first, nothing while nothing changes, a heartbeat each interval, and a verdict change at once")
    func sending() {
        var sender = ledger()
        let started = sender.sync(observations: own(), overrides: [], at: now)
        #expect(started)
        #expect(kinds(sender.frames(for: "ankara", at: now)) == ["snapshot 4 4"])
        #expect(sender.frames(for: "ankara", at: now + .milliseconds(500)).isEmpty)
        #expect(kinds(sender.frames(for: "ankara", at: now + .seconds(1))) == ["heartbeat"])
        let unchangedIsUrgent = sender.sync(observations: own(), overrides: [], at: now + .seconds(1))
        #expect(!unchangedIsUrgent, "nothing changed")
        let changed = sender.sync(observations: own(down: ["ankara-1"]), overrides: [], at: now + .milliseconds(1100))
        #expect(changed)
        let frames = sender.frames(for: "ankara", at: now + .milliseconds(1110))
        #expect(kinds(frames) == ["delta 4-5 1"])
        guard case .delta(let delta) = frames.first?.body else { return }
        #expect(delta.changes == [.observation(.init(gateway: "ankara-1", verdict: .down, latency: .init(steps: 200)))])
    }

    @Test("a latency that moves a little is not sent; one that moves far goes out with the next frame, at most every few seconds")
    func latencyBatching() {
        var sender = ledger()
        sender.sync(observations: own(latency: .milliseconds(20)), overrides: [], at: now)
        _ = sender.frames(for: "ankara", at: now)
        func sync(_ latency: Duration, after seconds: Int64) -> Bool {
            sender.sync(observations: own(latency: latency, at: now + .seconds(seconds)), overrides: [], at: now + .seconds(seconds))
        }
        #expect(!sync(.microseconds(21_500), after: 6))
        #expect(sender.sequence == 4, "1.5 ms on 20 ms is under a tenth")
        #expect(!sync(.milliseconds(30), after: 7))
        #expect(sender.sequence == 8, "the first move after the start goes out")
        #expect(!sync(.milliseconds(40), after: 8))
        #expect(sender.sequence == 8, "held back: the last batch went a second ago")
        #expect(!sync(.milliseconds(40), after: 12))
        #expect(sender.sequence == 12)
        #expect(kinds(sender.frames(for: "ankara", at: now + .seconds(12))) == ["delta 4-12 4"])
    }

    @Test("an own observation gone stale is sent as unknown, and a gateway gone from the view as a removal")
    func staleAndRemoved() {
        var sender = ledger(), receiver = ledger(epoch: 2)
        sender.sync(observations: own(), overrides: [], at: now)
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now)
        let wentStale = sender.sync(observations: own(), overrides: [], at: now + .seconds(4))
        #expect(wentStale, "fresh for 3 intervals plus the timeout: 3.5 s")
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now + .seconds(4))
        let held = receiver.replicas["istanbul"]?.observations(by: "istanbul") ?? []
        #expect(held.count == 4 && held.allSatisfy { $0.verdict == .unknown && $0.latency == nil })
        let removedOne = sender.sync(observations: Array(own(at: now + .seconds(4)).dropFirst()), overrides: [], at: now + .seconds(4))
        #expect(removedOne)
        let reception = deliver(&sender, "istanbul", to: &receiver, "ankara", at: now + .seconds(5))
        #expect(reception.observationsChanged)
        #expect(receiver.replicas["istanbul"]?.count == 3)
        #expect(receiver.replicas["istanbul"]?.digest.value == sender.digest)
    }

    @Test("a sync of some observations (the verdicts that just changed) sends them and removes nothing; a complete one removes")
    func partialSync() {
        var sender = ledger(), receiver = ledger(epoch: 2)
        sender.sync(observations: own(), overrides: [], at: now)
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now)
        let changed = own(down: ["istanbul-2"]).filter { $0.gateway == "istanbul-2" }
        let sentChange = sender.sync(observations: changed, overrides: [], at: now, complete: false)
        #expect(sentChange)
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now)
        #expect(receiver.replicas["istanbul"]?.verdict(of: "istanbul-2") == .down)
        #expect(receiver.replicas["istanbul"]?.count == 4, "the others stay")
        let removed = sender.sync(observations: changed, overrides: [], at: now, complete: true)
        #expect(removed, "the others are gone from a complete view")
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now)
        #expect(receiver.replicas["istanbul"]?.count == 1)
    }

    @Test("a latency that moved is held at once but asks for no rebuild by itself; a verdict that changed does")
    func measuresWaitForThePeriodicRebuild() {
        var sender = ledger(), receiver = ledger(epoch: 2)
        sender.sync(observations: own(latency: .milliseconds(20)), overrides: [], at: now)
        #expect(deliver(&sender, "istanbul", to: &receiver, "ankara", at: now).observationsChanged, "new observations")
        let before = sender.sequence
        sender.sync(observations: own(latency: .milliseconds(40), at: now + .seconds(2)), overrides: [], at: now + .seconds(2))
        #expect(sender.sequence > before, "the move went out")
        let moved = deliver(&sender, "istanbul", to: &receiver, "ankara", at: now + .seconds(2))
        #expect(!moved.observationsChanged)
        #expect(receiver.replicas["istanbul"]?.observations(by: "istanbul").allSatisfy { $0.latency == .milliseconds(40) } == true)
        sender.sync(observations: own(down: ["istanbul-2"], latency: .milliseconds(40), at: now + .seconds(3)), overrides: [],
                    at: now + .seconds(3))
        #expect(deliver(&sender, "istanbul", to: &receiver, "ankara", at: now + .seconds(3)).observationsChanged)
        #expect(receiver.replicas["istanbul"]?.verdict(of: "istanbul-2") == .down)
    }

    @Test("a leaving frame says when the sender left and leaves what the receiver holds of it as it was")
    func leaving() {
        var sender = ledger(), receiver = ledger(epoch: 2)
        sender.sync(observations: own(), overrides: [], at: now)
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now)
        let saidAt = now + .milliseconds(300)
        let reception = receiver.receive(sender.leavingFrame(at: saidAt), from: "istanbul", at: saidAt)
        #expect(reception.leaving == saidAt && !reception.observationsChanged && !reception.answer)
        #expect(receiver.replicas["istanbul"]?.count == 4)
        #expect(receiver.receive(sender.frames(for: "ankara", at: now + .seconds(1)).first!, from: "istanbul", at: now + .seconds(1)).leaving == nil)
    }

    @Test("the receiver holds the sender's observations as its own, dated by the newest frame, and override writes to merge")
    func receiving() {
        var sender = ledger(), receiver = ledger(epoch: 2)
        let drill = OverrideTable.Write(Override(target: .region("ankara"), action: .drain, reason: "drill", author: "ops", setAt: now))
        let old = OverrideTable.Write(Override(target: .gateway("istanbul-1"), action: .down, reason: "old", author: "ops",
                                               setAt: now - .seconds(90_000)))
        sender.sync(observations: own(down: ["istanbul-2"]), overrides: [drill, old], at: now)
        let reception = deliver(&sender, "istanbul", to: &receiver, "ankara", at: now)
        #expect(reception.writes == [drill], "a write older than a day is held, not merged")
        #expect(reception.observationsChanged)
        let replica = receiver.replicas["istanbul"]
        #expect(replica?.overrides.count == 2)
        let observations = replica?.observations(by: "istanbul") ?? []
        #expect(Set(observations.map(\.gateway)) == Set(configuration.gateways.map(\.name)))
        #expect(observations.allSatisfy { $0.observer == "istanbul" && $0.at == now })
        #expect(observations.first { $0.gateway == "istanbul-2" }?.verdict == .down)
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now + .seconds(2))
        #expect(receiver.replicas["istanbul"]?.heardAt == now + .seconds(2), "a heartbeat refreshes every observation")
    }

    @Test("a gap asks for the changes since what is held, and the answer closes it")
    func gap() {
        var sender = ledger(), receiver = ledger(epoch: 2)
        sender.sync(observations: own(), overrides: [], at: now)
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now)
        sender.sync(observations: own(down: ["ankara-1"]), overrides: [], at: now + .milliseconds(10))
        _ = sender.frames(for: "ankara", at: now + .milliseconds(10))  // lost
        sender.sync(observations: own(down: ["ankara-1", "ankara-2"]), overrides: [], at: now + .milliseconds(20))
        let reception = deliver(&sender, "istanbul", to: &receiver, "ankara", at: now + .milliseconds(20))
        #expect(reception.answer && !reception.observationsChanged)
        // The receiver's first frames to the sender: the request, its own (empty) state, and what it holds of the sender's.
        #expect(kinds(receiver.frames(for: "istanbul", at: now + .milliseconds(21))) == ["request since 4", "snapshot 0 0", "heartbeat"])
        let request = ExchangeFrame(epoch: 2, sentAt: now, body: .request(.changes(epoch: 1, since: 4)))
        #expect(sender.receive(request, from: "ankara", at: now + .milliseconds(22)).answer)
        #expect(kinds(sender.frames(for: "ankara", at: now + .milliseconds(22))) == ["delta 4-6 2"])
    }

    @Test("a heartbeat ahead of the replica asks for changes; one with the same sequence and another digest asks for a snapshot")
    func heartbeats() {
        var sender = ledger(), receiver = ledger(epoch: 2)
        sender.sync(observations: own(), overrides: [], at: now)
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now)
        let ahead = ExchangeFrame(epoch: 1, sentAt: now, body: .heartbeat(.init(sequence: 9, digest: 0, acknowledged: nil)))
        #expect(receiver.receive(ahead, from: "istanbul", at: now).answer)
        #expect(kinds(receiver.frames(for: "istanbul", at: now)).first == "request since 4")
        let drifted = ExchangeFrame(epoch: 1, sentAt: now, body: .heartbeat(.init(sequence: 4, digest: 0, acknowledged: nil)))
        #expect(receiver.receive(drifted, from: "istanbul", at: now).answer)
        #expect(kinds(receiver.frames(for: "istanbul", at: now)).first == "request snapshot")
        #expect(!receiver.receive(drifted, from: "istanbul", at: now + .milliseconds(100)).answer, "the same request once per interval")
        let matching = ExchangeFrame(epoch: 1, sentAt: now, body: .heartbeat(.init(sequence: 4, digest: sender.digest, acknowledged: nil)))
        #expect(!receiver.receive(matching, from: "istanbul", at: now + .seconds(2)).answer)
    }

    @Test("a restarted sender (a new epoch) is followed only from its snapshot")
    func restart() {
        var sender = ledger(), receiver = ledger(epoch: 2)
        sender.sync(observations: own(), overrides: [], at: now)
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now)
        var restarted = ledger(epoch: 3)
        restarted.sync(observations: own(down: ["istanbul-1"]), overrides: [], at: now + .seconds(1))
        let delta = ExchangeFrame(epoch: 3, sentAt: now + .seconds(1), body: .delta(.init(since: 0, upTo: 4, changes: [])))
        #expect(receiver.receive(delta, from: "istanbul", at: now + .seconds(1)).answer)
        #expect(receiver.replicas["istanbul"]?.heardAt == now, "frames of another incarnation refresh nothing")
        #expect(kinds(receiver.frames(for: "istanbul", at: now + .seconds(1))).first == "request snapshot")
        deliver(&restarted, "istanbul", to: &receiver, "ankara", at: now + .seconds(1))
        #expect(receiver.replicas["istanbul"]?.epoch == 3)
        #expect(receiver.replicas["istanbul"]?.observations(by: "istanbul").first { $0.gateway == "istanbul-1" }?.verdict == .down)
    }

    @Test("a peer that asks for snapshots without end gets one per heartbeat interval")
    func snapshotFlood() {
        var sender = ledger()
        sender.sync(observations: own(), overrides: [], at: now)
        _ = sender.frames(for: "ankara", at: now)
        var snapshots = 0
        for step in 1...100 {
            let time = now + .milliseconds(Int64(step) * 10)
            _ = sender.receive(ExchangeFrame(epoch: 2, sentAt: time, body: .request(.snapshot)), from: "ankara", at: time)
            snapshots += sender.frames(for: "ankara", at: time).filter { if case .snapshot = $0.body { true } else { false } }.count
        }
        #expect(snapshots == 1, "one second of asking every 10 ms")
    }

    @Test("a reopened stream resends from what the peer acknowledged")
    func reopen() {
        var sender = ledger(), receiver = ledger(epoch: 2)
        sender.sync(observations: own(), overrides: [], at: now)
        deliver(&sender, "istanbul", to: &receiver, "ankara", at: now)
        deliver(&receiver, "ankara", to: &sender, "istanbul", at: now)  // its snapshot, then a heartbeat with the ack
        deliver(&receiver, "ankara", to: &sender, "istanbul", at: now + .seconds(1))
        sender.sync(observations: own(down: ["ankara-2"]), overrides: [], at: now + .seconds(1))
        _ = sender.frames(for: "ankara", at: now + .seconds(1))  // lost with the stream
        sender.streamReopened(to: "ankara")
        #expect(kinds(sender.frames(for: "ankara", at: now + .seconds(2))) == ["delta 4-5 1"])
        var fresh = ledger()
        fresh.sync(observations: own(), overrides: [], at: now)
        fresh.streamReopened(to: "ankara")
        #expect(kinds(fresh.frames(for: "ankara", at: now)) == ["snapshot 4 4"], "nothing acknowledged: a snapshot")
    }

    @Test("a stream busy with deltas still acknowledges once an interval, so a reopened one resends only what came after")
    func busyAcknowledges() {
        var sender = ledger(), receiver = ledger(epoch: 2)
        let gateways = configuration.gateways.map(\.name)
        var acknowledged: [UInt64] = []
        for step in 0..<25 {
            let time = now + .milliseconds(Int64(step) * 100)
            // Both change a verdict every 100 ms, so neither stream is ever idle for an interval.
            let down: Set<GatewayName> = [gateways[step % gateways.count]]
            sender.sync(observations: own(down: down, at: time), overrides: [], at: time)
            receiver.sync(observations: own(down: down, at: time), overrides: [], at: time)
            deliver(&sender, "istanbul", to: &receiver, "ankara", at: time)
            for frame in receiver.frames(for: "istanbul", at: time) {
                if case .heartbeat(let heartbeat) = frame.body, let ack = heartbeat.acknowledged { acknowledged.append(ack.sequence) }
                _ = sender.receive(frame, from: "ankara", at: time)
            }
        }
        #expect(acknowledged.count >= 2 && acknowledged.count <= 3, "one acknowledgement an interval: \(acknowledged)")
        let last = sender.sequence
        sender.sync(observations: own(down: [gateways[0], gateways[1]], at: now + .seconds(3)), overrides: [], at: now + .seconds(3))
        sender.streamReopened(to: "ankara")
        let resent = kinds(sender.frames(for: "ankara", at: now + .seconds(3)))
        #expect(resent.count == 1 && resent[0].hasPrefix("delta") && !resent[0].hasPrefix("delta \(last)"), "\(resent)")
        #expect(resent.first.map { $0.hasPrefix("delta \(acknowledged.last ?? 0)-") } == true, "\(resent)")
    }

    @Test("when removals outnumber the values, a peer behind them gets a snapshot")
    func floor() {
        var sender = ledger()
        let world = TestWorld.turkey(istanbulGateways: 100, ankaraGateways: 100)
        sender.settings = .init(configuration: world)
        let all = TestWorld.observations(world, by: ["istanbul"], at: now)
        sender.sync(observations: all, overrides: [], at: now)
        _ = sender.frames(for: "ankara", at: now)
        sender.sync(observations: Array(all.prefix(10)), overrides: [], at: now)
        #expect(sender.log.floor > 3)
        _ = sender.receive(ExchangeFrame(epoch: 2, sentAt: now, body: .request(.changes(epoch: 1, since: 3))), from: "ankara", at: now)
        #expect(kinds(sender.frames(for: "ankara", at: now + .seconds(1))) == ["snapshot \(sender.sequence) 10"])
    }
}
