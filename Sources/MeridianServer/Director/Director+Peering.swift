import MeridianCore

/// The peers' part: what this director tells them, what it takes from them, and how it hears them.
extension Director {
    /// What this director tells its peers now (without its observations: a report to a peer that
    /// takes them from the stream).
    public func report(at now: Timestamp = .now, withObservations: Bool = true) -> PeerReport {
        let loaded = loadedConfiguration
        return PeerReport(from: name, sentAt: now, fingerprint: PeerReport.reported(loaded.configuration.fingerprint),
                          observations: withObservations ? board.observations(by: name) : [], overrides: overrideKeeper.all,
                          release: loaded.release)
    }

    /// Takes the report `sender`'s signature was checked on, if it keeps the rules of
    /// `PeerReportCheck`; otherwise nothing of it is used or saved, the refusal is counted and
    /// logged, and returned. Answers change at once when the report changes a verdict or an override.
    func receive(_ report: PeerReport, from sender: DirectorName, at now: Timestamp = .now) -> PeerReportRefusal? {
        guard let peering, sender != name else { return nil }
        let check = PeerReportCheck(configuration: configuration, maximumSkew: peering.authentication.maximumSkew)
        switch check.check(report, from: sender, at: now) {
        case .failure(let refusal):
            peering.refused(refusal.reason.rawValue, from: sender, detail: refusal.message, at: now, logger: logger)
            return refusal
        case .success(let taken):
            let verdictsChanged = peering.accept(taken, at: now)
            let overridesChanged = overrideKeeper.take(taken.overrides, from: taken.from)
            if verdictsChanged || overridesChanged { refreshSnapshot() }
            if configuration.director(sender)?.region == region { updateProbeShare(at: now) }
            return nil
        }
    }

    /// Takes what a frame of `sender`'s stream changed (`ExchangeHub.take` has checked it): its
    /// override writes are merged, answers change at once when an observation or override did, and
    /// the peers hear at once when the frame asks for an answer. A sender that says it is leaving
    /// is gone at once (`Peering.gone`).
    func receive(_ reception: ExchangeLedger<DirectorName>.Reception, from sender: DirectorName, at now: Timestamp = .now) {
        guard let peering else { return }
        peering.heardOnStream(from: sender, at: now)
        if let saidAt = reception.leaving {
            // Gone as a refused connection would make it, now rather than at the next push; a
            // report it pushed before still on its way does not bring it back.
            peering.heardLeaving(from: sender, saidAt: saidAt)
            if peering.recordSend(to: sender, at: now, error: "leaving (shutting down)", refused: true) { refreshSnapshot() }
            updateProbeShare(at: now)
            return
        }
        let overridesChanged = overrideKeeper.take(reception.writes, from: sender)
        if reception.observationsChanged || overridesChanged { refreshSnapshot() }
        if configuration.director(sender)?.region == region { updateProbeShare(at: now) }
        if reception.answer { ownChanged() }
    }

    /// The verdict on `gateway` this director holds from its peer `peer` (streamed, or in the peer's
    /// last report), if it holds one.
    public func peerVerdict(of gateway: GatewayName, by peer: DirectorName) -> Verdict? {
        peering?.verdict(of: gateway, by: peer)
    }

    /// The bytes of HTTP bodies this director has sent to its peers and received from them, over
    /// every peer, streamed and reported (`meridian_peer_bytes_sent_total` and `_received_total`).
    public var peerBytes: (sent: UInt64, received: UInt64) {
        let total = peering?.traffic.total ?? .init()
        return (total.sent, total.received)
    }

    /// Calls `handler` whenever one of this director's own verdicts changes or an operator gives it
    /// an override: what its peers should hear about at once.
    public func onOwnChange(_ handler: @escaping @Sendable () -> Void) {
        ownChangeHandlers.withLockedValue { $0.append(handler) }
    }

    func ownChanged() {
        for handler in ownChangeHandlers.withLockedValue({ $0 }) { handler() }
    }

    /// Journals peers going stale and coming back since `previous` (called with every snapshot
    /// refresh), and leaves the current states in it.
    func journalPeerChanges(at now: Timestamp, since previous: inout [DirectorName: PeerState]) {
        guard peering != nil else { return }
        let current = Dictionary(peerStates(configuration, now: now).map { ($0.peer.endpoints.name, $0.state) },
                                 uniquingKeysWith: { first, _ in first })
        for (peer, state) in current {
            guard let before = previous[peer], before != state else { continue }
            journal.record(.peer, peer.rawValue, state.journalMessage(after: before), at: now)
        }
        previous = current
    }
}
