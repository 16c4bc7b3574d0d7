extension ExchangeLedger {
    /// Numbers what changed in this director's own state: `observations` are its own (of distinct
    /// gateways; later ones of a gateway are ignored), `overrides` every write it holds. With
    /// `complete`, `observations` are all of them, and keys gone from both are removed; without, they
    /// are some (those whose verdict just changed), and nothing is removed. Returns whether a
    /// verdict, a removal or an override write changed, which peers should hear at once.
    @discardableResult
    public mutating func sync(observations: [Observation], overrides: [OverrideTable.Write], at now: Timestamp,
                              complete: Bool = true) -> Bool {
        var urgent = false
        var seen = Set<ExchangeKey>(minimumCapacity: observations.count + overrides.count)
        for observation in observations {
            let gateway = observation.gateway
            guard seen.insert(.gateway(gateway)).inserted else { continue }
            let fresh = settings.freshness(of: gateway).map { now - observation.at <= $0 } ?? true
            let current = ExchangeObservation(gateway: gateway, verdict: fresh ? observation.verdict : .unknown,
                                              latency: fresh ? observation.latency.map(ExchangeLatency.init(quantizing:)) : nil,
                                              load: fresh ? observation.load.map(ExchangeLoad.init(quantizing:)) : nil)
            guard case .observation(let sent)? = log.value(for: .gateway(gateway)), sent.verdict == current.verdict else {
                urgent = log.publish(.observation(current)) || urgent
                pendingMeasures[gateway] = nil
                continue
            }
            if settings.moved(from: sent.latency, to: current.latency) || settings.moved(from: sent.load, to: current.load) {
                pendingMeasures[gateway] = current
            } else if !pendingMeasures.isEmpty {
                pendingMeasures[gateway] = nil
            }
        }
        for write in overrides where seen.insert(.override(write.override.target)).inserted {
            urgent = log.publish(.override(write)) || urgent
        }
        if complete {
            for key in log.keys where !seen.contains(key) {
                urgent = log.publish(.removed(key)) || urgent
            }
        }
        if !pendingMeasures.isEmpty, measuresSentAt.map({ now - $0 >= settings.latencyInterval }) ?? true {
            for (gateway, measured) in pendingMeasures {
                guard case .observation(var sent)? = log.value(for: .gateway(gateway)) else { continue }
                sent.latency = measured.latency
                sent.load = measured.load
                log.publish(.observation(sent))
            }
            pendingMeasures = [:]
            measuresSentAt = now
        }
        return urgent
    }

    /// What to send `peer` now, in order: a request of ours, then a snapshot or a delta of what it
    /// was not sent, then a heartbeat if nothing went out for a heartbeat interval, or if what this
    /// director holds of the peer's changes moved and no heartbeat said so for an interval (a busy
    /// stream still acknowledges once an interval, so that a reopened one resends little). A resend
    /// (a snapshot after the first, or a delta from before what was sent) goes out at most once per
    /// heartbeat interval; until then it waits for a later call.
    public mutating func frames(for peer: Peer, at now: Timestamp) -> [ExchangeFrame] {
        var link = links[peer] ?? Link()
        defer { links[peer] = link }
        var bodies: [ExchangeFrame.Body] = []
        if let request = link.request {
            bodies.append(.request(request))
            link.request = nil
            link.lastRequest = (request, now)
        }
        if let state = stateFrame(for: &link, at: now) { bodies.append(state) }
        let acknowledged = replicas[peer].flatMap { replica in
            replica.epoch.map { ExchangeFrame.Acknowledgement(epoch: $0, sequence: replica.sequence) }
        }
        let idle = bodies.isEmpty && link.lastSent.map({ now - $0 >= settings.heartbeatInterval }) ?? true
        let acknowledging = acknowledged != link.acknowledgementSent
            && link.heartbeatSent.map({ now - $0 >= settings.heartbeatInterval }) ?? true
        if idle || acknowledging {
            bodies.append(.heartbeat(.init(sequence: log.sequence, digest: log.digest.value, acknowledged: acknowledged)))
            link.heartbeatSent = now
            link.acknowledgementSent = acknowledged
        }
        if !bodies.isEmpty { link.lastSent = now }
        return bodies.map { ExchangeFrame(epoch: epoch, sentAt: now, body: $0) }
    }

    /// The snapshot or delta `link` is due, if any and if a resend may go out now.
    private func stateFrame(for link: inout Link, at now: Timestamp) -> ExchangeFrame.Body? {
        let sequence = log.sequence
        let base = link.sentUpTo.flatMap { $0 >= log.floor && $0 <= sequence ? $0 : nil }
        if base == sequence { return nil }
        if base.map({ $0 < link.highestSent }) ?? link.sentState {
            if let resentAt = link.resentAt, now - resentAt < settings.heartbeatInterval { return nil }
            link.resentAt = now
        }
        link.sentState = true
        link.sentUpTo = sequence
        link.highestSent = max(link.highestSent, sequence)
        guard let base else { return .snapshot(.init(sequence: sequence, changes: log.snapshot)) }
        return .delta(.init(since: base, upTo: sequence, changes: log.changes(after: base)))
    }

    /// The stream to `peer` was opened again: what it may have missed is sent again, from what it
    /// acknowledged (or as a snapshot).
    public mutating func streamReopened(to peer: Peer) {
        let acknowledged = links[peer]?.acknowledged
        links[peer, default: Link()].sentUpTo = acknowledged
    }

    /// The last frame of this director's streams as it shuts down: it is leaving.
    public func leavingFrame(at now: Timestamp) -> ExchangeFrame {
        ExchangeFrame(epoch: epoch, sentAt: now, body: .leaving)
    }
}
