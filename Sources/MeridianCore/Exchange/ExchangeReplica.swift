/// What this director holds of one peer's state: the values of the peer's incarnation `epoch` up
/// to `sequence`, their digest, and when the peer last sent a frame of that incarnation (which
/// stands for the time of every observation held: a peer whose own observation of a gateway went
/// stale reports it `unknown`, and a peer that stops sending has its observations go stale).
public struct ExchangeReplica: Sendable {
    public private(set) var epoch: UInt64?
    public private(set) var sequence: UInt64 = 0
    public private(set) var digest = ExchangeDigest()
    /// The send time of the newest frame of `epoch`.
    public private(set) var heardAt: Timestamp?
    private var values: [ExchangeKey: ExchangeChange] = [:]
    /// How many changes taken were more than a move of a latency or load: a verdict, a gateway or
    /// override write new or gone. The answers change at once for those; for a measure's move they
    /// wait for the next periodic rebuild (`SnapshotRefresher`, every second).
    public private(set) var decisiveChanges: UInt64 = 0

    public init() {}

    /// What a frame did to the replica.
    enum Outcome: Equatable {
        /// Taken; `changes` are the values it set or removed that differ from what was held.
        case applied(changes: [ExchangeChange])
        /// Nothing to take (a duplicate, or older than what is held).
        case ignored
        /// The replica cannot follow: it needs this from the peer.
        case behind(ExchangeFrame.Request)
    }

    /// The observations held, made `Observation`s of `observer` at `heardAt` (none before any frame).
    public func observations(by observer: DirectorName) -> [Observation] {
        guard let heardAt else { return [] }
        return values.values.compactMap { change -> Observation? in
            guard case .observation(let observation) = change else { return nil }
            return Observation(gateway: observation.gateway, observer: observer, verdict: observation.verdict,
                               latency: observation.latency?.duration, load: observation.load?.value, at: heardAt)
        }
    }

    /// The verdict held for `gateway`, if any.
    public func verdict(of gateway: GatewayName) -> Verdict? {
        guard case .observation(let observation) = values[.gateway(gateway)] else { return nil }
        return observation.verdict
    }

    /// The override writes held.
    public var overrides: [OverrideTable.Write] {
        values.values.compactMap { change -> OverrideTable.Write? in
            guard case .override(let write) = change else { return nil }
            return write
        }
    }

    /// How many values are held.
    public var count: Int { values.count }

    /// Takes a frame of the peer's: a heartbeat, delta or snapshot of its state (a frame of another
    /// incarnation than `epoch` is taken only if it is a snapshot), or a request, which is about this
    /// director's state and only says that the peer is alive. A leaving frame changes nothing held
    /// (the ledger reports it: `Reception.leaving`).
    mutating func take(_ frame: ExchangeFrame) -> Outcome {
        if case .leaving = frame.body { return .ignored }
        if case .request = frame.body {
            if frame.epoch == epoch { refresh(frame.sentAt) }
            return .ignored
        }
        guard frame.epoch == epoch else {
            guard case .snapshot(let snapshot) = frame.body else { return .behind(.snapshot) }
            epoch = frame.epoch
            heardAt = frame.sentAt
            return .applied(changes: replace(with: snapshot))
        }
        refresh(frame.sentAt)
        switch frame.body {
        case .snapshot(let snapshot):
            guard snapshot.sequence >= sequence else { return .ignored }
            return .applied(changes: replace(with: snapshot))
        case .delta(let delta):
            guard delta.upTo > sequence else { return .ignored }
            guard delta.since <= sequence else { return .behind(.changes(epoch: frame.epoch, since: sequence)) }
            sequence = delta.upTo
            return .applied(changes: delta.changes.filter { set($0) })
        case .heartbeat(let heartbeat):
            if heartbeat.sequence > sequence { return .behind(.changes(epoch: frame.epoch, since: sequence)) }
            if heartbeat.sequence == sequence, heartbeat.digest != digest.value { return .behind(.snapshot) }
            return .ignored
        case .request, .leaving:
            return .ignored
        }
    }

    private mutating func refresh(_ sentAt: Timestamp) {
        if heardAt.map({ sentAt > $0 }) ?? true { heardAt = sentAt }
    }

    private mutating func replace(with snapshot: ExchangeFrame.Snapshot) -> [ExchangeChange] {
        sequence = snapshot.sequence
        let incoming = Dictionary(snapshot.changes.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let removed = values.keys.filter { incoming[$0] == nil }.map(ExchangeChange.removed)
        for change in removed { set(change) }
        return removed + snapshot.changes.filter { set($0) }
    }

    /// Sets (or removes) one value; returns whether it differed from what was held.
    @discardableResult
    private mutating func set(_ change: ExchangeChange) -> Bool {
        let key = change.key
        let previous = values[key]
        if change.isRemoval {
            guard let previous else { return false }
            decisiveChanges += 1
            digest.remove(previous)
            values[key] = nil
            return true
        }
        guard previous != change else { return false }
        if !Self.measuresMoved(from: previous, to: change) { decisiveChanges += 1 }
        if let previous { digest.remove(previous) }
        digest.add(change)
        values[key] = change
        return true
    }

    /// Whether `change` differs from `previous` only in the latency or load of one observation.
    private static func measuresMoved(from previous: ExchangeChange?, to change: ExchangeChange) -> Bool {
        guard case .observation(let old)? = previous, case .observation(let new) = change else { return false }
        return old.gateway == new.gateway && old.verdict == new.verdict
    }
}
