import MeridianCore
import NIOConcurrencyHelpers

/// A director's side of the streamed exchange (`POST /v1/peer/stream`): its `ExchangeLedger` behind
/// a lock, which stream of each peer is current, and what the peers' replicas hold, as the
/// observations the consensus takes. Frames are taken only from a peer's newest stream, in order,
/// after `ExchangeCheck`.
final class ExchangeHub: Sendable {
    /// Why a frame was not taken (the `/metrics` reasons of `PeerReportRefusal`, and two of the stream's own).
    enum Refusal: Error, Sendable, Equatable {
        /// The frame is not version 3 or does not decode.
        case malformed(ExchangeDecodingError)
        /// A newer stream of the same peer is open (or the hub has no configuration yet).
        case superseded
        case refused(PeerReportRefusal)
    }

    private struct State: Sendable {
        var ledger: ExchangeLedger<DirectorName>
        /// `nil` until `configure`: no frame is taken before.
        var check: ExchangeCheck?
        var limits: ExchangeLimits?
        /// The current stream of each peer, by id.
        var streams: [DirectorName: UInt64] = [:]
    }

    private let state: NIOLockedValueBox<State>
    private let changed = NIOLockedValueBox<Set<GatewayName>>([])

    /// A hub for an incarnation `epoch`, which must differ from every earlier incarnation's (the
    /// start time in microseconds does). It takes frames once configured.
    init(epoch: UInt64) {
        state = NIOLockedValueBox(State(ledger: ExchangeLedger(epoch: epoch, settings: .init(heartbeatInterval: .seconds(1)))))
    }

    /// Takes (or takes again, after a reload) the configuration frames are checked against and
    /// paced by, and the interval heartbeats keep (by default the shortest probe interval);
    /// peers it no longer names are forgotten.
    func configure(_ configuration: Configuration, maximumSkew: Duration, heartbeat interval: Duration? = nil) {
        var settings = ExchangeLedger<DirectorName>.Settings(configuration: configuration)
        if let interval { settings.heartbeatInterval = interval }
        let check = ExchangeCheck(configuration: configuration, maximumSkew: maximumSkew)
        let limits = ExchangeLimits(for: configuration)
        let peers = Set(configuration.directors.map(\.endpoints.name))
        state.withLockedValue { state in
            // A director the configuration no longer names is forgotten: what it sent, and its stream.
            state.ledger.keep(only: peers)
            state.streams = state.streams.filter { peers.contains($0.key) }
            state.ledger.settings = settings
            state.check = check
            state.limits = limits
        }
    }

    /// The limits frames are read within (`nil` before `configure`).
    var limits: ExchangeLimits? { state.withLockedValue { $0.limits } }

    /// Numbers this director's own changes (`ExchangeLedger.sync`); returns whether peers should hear at once.
    func sync(observations: [Observation], overrides: [OverrideTable.Write], at now: Timestamp, complete: Bool = true) -> Bool {
        state.withLockedValue { $0.ledger.sync(observations: observations, overrides: overrides, at: now, complete: complete) }
    }

    /// Notes that this director's verdict on `gateway` changed: the next push syncs it even when
    /// it syncs only what changed.
    func verdictChanged(_ gateway: GatewayName) {
        changed.withLockedValue { _ = $0.insert(gateway) }
    }

    /// The gateways whose verdict changed since the last call, and forgets them.
    func takeChangedVerdicts() -> Set<GatewayName> {
        changed.withLockedValue { changed in
            defer { changed = [] }
            return changed
        }
    }

    /// The frames due to `peer` now, encoded.
    func frames(for peer: DirectorName, at now: Timestamp) -> [[UInt8]] {
        state.withLockedValue { $0.ledger.frames(for: peer, at: now) }.map { $0.encoded() }
    }

    /// The frame that ends this director's streams as it shuts down, encoded.
    func leavingFrame(at now: Timestamp) -> [UInt8] {
        state.withLockedValue { $0.ledger.leavingFrame(at: now) }.encoded()
    }

    /// This director's stream to `peer` was opened again.
    func reopened(to peer: DirectorName) {
        state.withLockedValue { $0.ledger.streamReopened(to: peer) }
    }

    /// Makes stream `id` of `sender` its current one, unless a newer one is; returns whether it is now.
    func open(stream id: UInt64, from sender: DirectorName) -> Bool {
        state.withLockedValue { state in
            if let current = state.streams[sender], current > id { return false }
            state.streams[sender] = id
            return true
        }
    }

    /// Takes one frame's bytes that `sender` sent on its stream `id`.
    func take(_ bytes: [UInt8], from sender: DirectorName, stream id: UInt64, at now: Timestamp)
        -> Result<ExchangeLedger<DirectorName>.Reception, Refusal> {
        guard let limits else { return .failure(.superseded) }
        let frame: ExchangeFrame
        do {
            frame = try ExchangeFrame(decoding: bytes, limits: limits)
        } catch {
            return .failure(.malformed(error))
        }
        return state.withLockedValue { state in
            guard state.streams[sender] == id, let check = state.check else { return .failure(.superseded) }
            if let refusal = check.refusal(of: frame, at: now) { return .failure(.refused(refusal)) }
            return .success(state.ledger.receive(frame, from: sender, at: now))
        }
    }

    /// The verdict `peer`'s replica holds for `gateway`, if any.
    func verdict(of gateway: GatewayName, by peer: DirectorName) -> Verdict? {
        state.withLockedValue { $0.ledger.replicas[peer]?.verdict(of: gateway) }
    }

    /// Every observation the peers' replicas hold, each dated by its peer's newest frame.
    var observations: [Observation] {
        state.withLockedValue { state in
            state.ledger.replicas.flatMap { peer, replica in replica.observations(by: peer) }
        }
    }
}
