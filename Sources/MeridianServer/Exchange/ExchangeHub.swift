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
        /// A newer stream of the same peer is open.
        case superseded
        case refused(PeerReportRefusal)
    }

    private struct State: Sendable {
        var ledger: ExchangeLedger<DirectorName>
        var check: ExchangeCheck
        var limits: ExchangeLimits
        /// The current stream of each peer, by id.
        var streams: [DirectorName: UInt64] = [:]
    }

    private let state: NIOLockedValueBox<State>

    /// A hub for `configuration`; `epoch` must differ from every earlier incarnation's (the start
    /// time in microseconds does).
    init(configuration: Configuration, maximumSkew: Duration, epoch: UInt64) {
        state = NIOLockedValueBox(State(ledger: ExchangeLedger(epoch: epoch, settings: .init(configuration: configuration)),
                                        check: ExchangeCheck(configuration: configuration, maximumSkew: maximumSkew),
                                        limits: ExchangeLimits(for: configuration)))
    }

    /// The limits frames are read within.
    var limits: ExchangeLimits { state.withLockedValue { $0.limits } }

    /// Numbers this director's own changes (`ExchangeLedger.sync`); returns whether peers should hear at once.
    func sync(observations: [Observation], overrides: [OverrideTable.Write], at now: Timestamp) -> Bool {
        state.withLockedValue { $0.ledger.sync(observations: observations, overrides: overrides, at: now) }
    }

    /// The frames due to `peer` now, encoded.
    func frames(for peer: DirectorName, at now: Timestamp) -> [[UInt8]] {
        state.withLockedValue { $0.ledger.frames(for: peer, at: now) }.map { $0.encoded() }
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
        let limits = self.limits
        let frame: ExchangeFrame
        do {
            frame = try ExchangeFrame(decoding: bytes, limits: limits)
        } catch {
            return .failure(.malformed(error))
        }
        return state.withLockedValue { state in
            guard state.streams[sender] == id else { return .failure(.superseded) }
            if let refusal = state.check.refusal(of: frame, at: now) { return .failure(.refused(refusal)) }
            return .success(state.ledger.receive(frame, from: sender, at: now))
        }
    }

    /// Every observation the peers' replicas hold, each dated by its peer's newest frame.
    var observations: [Observation] {
        state.withLockedValue { state in
            state.ledger.replicas.flatMap { peer, replica in replica.observations(by: peer) }
        }
    }
}
