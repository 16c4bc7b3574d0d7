import Foundation
import Logging
import MeridianCore
import NIOConcurrencyHelpers

/// A director's side of the exchange with its peers: how messages are authenticated, the latest
/// report heard from each peer, the streamed exchange (`hub`, `links`), and what was refused.
public final class Peering: Sendable {
    /// A report as it was received.
    struct Received: Sendable {
        var report: PeerReport
        var receivedAt: Timestamp
        /// The report's verdicts by gateway.
        var verdicts: [GatewayName: Verdict] = [:]
    }

    /// The outcome of this director's last push to one peer.
    struct Sent: Sendable {
        var at: Timestamp
        var error: String?
        /// The peer refused the connection: nothing listens there any more (a director that was
        /// killed or stopped), unlike a timeout, which a slow link can cause.
        var refused = false
    }

    let authentication: PeerAuthentication
    /// The streamed exchange's state, and this director's streams to its peers.
    let hub: ExchangeHub
    let links: ExchangeLinks
    /// The bytes exchanged with each peer.
    let traffic = PeerTraffic()
    private let received = NIOLockedValueBox<[DirectorName: Received]>([:])
    private let sent = NIOLockedValueBox<[DirectorName: Sent]>([:])
    /// Refusals by reason (the labels of `refusalReasons` only).
    private let refusals = NIOLockedValueBox<[String: UInt64]>([:])
    /// When a refusal was last logged, per sender (one entry for every sender that is no peer).
    private let refusalsLogged = NIOLockedValueBox<[DirectorName?: Timestamp]>([:])
    private let accepted = NIOLockedValueBox<[DirectorName: UInt64]>([:])

    /// Peers with `credentials`; `marks` are the last accepted times per sender the state folder kept.
    public init(credentials: PeerCredentials, marks: [DirectorName: Int64] = [:]) {
        authentication = PeerAuthentication(credentials: credentials, marks: marks)
        hub = ExchangeHub(epoch: UInt64(max(Timestamp.now.nanosecondsSinceEpoch / 1000, 0)))
        links = ExchangeLinks(hub: hub, traffic: traffic)
    }

    /// Notes that a frame of `peer`'s stream was taken at `now`: the peer counts as heard (its
    /// observations are the hub's).
    func heardOnStream(from peer: DirectorName, at now: Timestamp) {
        accepted.withLockedValue { $0[peer, default: 0] += 1 }
        received.withLockedValue { received in
            // The configuration and release it runs are the ones its last report announced (a
            // director pushes a report to every peer when its release changes).
            let previous = received[peer]?.report
            // Dated as that report, so that the peer's next report still counts as newer.
            let report = PeerReport(from: peer, sentAt: previous?.sentAt ?? Timestamp(nanosecondsSinceEpoch: 0),
                                    fingerprint: previous?.fingerprint ?? "", observations: [], release: previous?.release)
            received[peer] = Received(report: report, receivedAt: now)
        }
    }

    /// Notes that `peer` said at `saidAt` (its clock) that it is leaving: a report it sent before
    /// then, arriving later, is older than what is held and is ignored (`accept`).
    func heardLeaving(from peer: DirectorName, saidAt: Timestamp) {
        received.withLockedValue { received in
            guard var held = received[peer], held.report.sentAt < saidAt else { return }
            held.report.sentAt = saidAt
            received[peer] = held
        }
    }

    /// Keeps `report` (an older one than already held is ignored). Returns whether any gateway's
    /// verdict differs from the sender's previous report.
    @discardableResult
    func accept(_ report: PeerReport, at now: Timestamp) -> Bool {
        accepted.withLockedValue { $0[report.from, default: 0] += 1 }
        return received.withLockedValue { received in
            let previous = received[report.from]
            if let previous, previous.report.sentAt >= report.sentAt { return false }
            let verdicts = Dictionary(report.observations.map { ($0.gateway, $0.verdict) }, uniquingKeysWith: { first, _ in first })
            received[report.from] = Received(report: report, receivedAt: now, verdicts: verdicts)
            return verdicts != (previous?.verdicts ?? [:])
        }
    }

    /// Every reason a peer's message can be refused for, as `/metrics` labels it.
    static let refusalReasons = PeerAuthentication.Refusal.allCases.map(\.rawValue) + PeerReportRefusal.Reason.allCases.map(\.rawValue)
        + [noClientCertificate]
    /// The refusal of a peer request whose client presented no certificate (under `peer-client-ca`).
    static let noClientCertificate = "no-client-certificate"

    /// How often refusals of one sender's messages are logged at most (each is counted).
    static let refusalLogInterval: Duration = .seconds(60)

    /// Counts a refused message (`reason` is one of `refusalReasons`) and logs it, at most once per
    /// `refusalLogInterval` for each sender: a peer, or `nil` for anyone who is none.
    func refused(_ reason: String, from sender: DirectorName?, detail: String, at now: Timestamp, logger: Logger) {
        refusals.withLockedValue { $0[reason, default: 0] += 1 }
        let log = refusalsLogged.withLockedValue { logged -> Bool in
            if let last = logged[sender], now - last < Self.refusalLogInterval { return false }
            logged[sender] = now
            return true
        }
        guard log else { return }
        logger.warning("peer message refused (further refusals from this sender are counted, not logged, for a minute)",
                       metadata: ["peer": "\(sender.map(\.rawValue) ?? "unknown")", "reason": "\(reason)", "detail": "\(detail)"])
    }

    /// Records how a push to `peer` went; returns whether the peer is gone by it and was not before
    /// (see `gone`). A peer that is gone stays gone through later failures of any kind (a director
    /// that said it is leaving may still accept a connection, and time out on it), until it is heard
    /// again or a push to it succeeds.
    @discardableResult
    func recordSend(to peer: DirectorName, at now: Timestamp, error: String?, refused: Bool = false) -> Bool {
        let wasGone = gone.contains(peer)
        sent.withLockedValue { $0[peer] = Sent(at: now, error: error, refused: refused || (wasGone && error != nil)) }
        return !wasGone && gone.contains(peer)
    }

    /// The peers that refused this director's last push after their last report: nothing listens
    /// where they were, so they probe nothing any more, and their observations stop counting at
    /// once instead of when they go stale (a region-mate's share is taken over meanwhile).
    var gone: Set<DirectorName> {
        let sends = sent.withLockedValue { $0 }
        return received.withLockedValue { received in
            Set(sends.compactMap { peer, sent in
                sent.refused && sent.at >= (received[peer]?.receivedAt ?? sent.at) ? peer : nil
            })
        }
    }

    /// Every observation the peers reported or streamed, but those of peers that are `gone`.
    var observations: [Observation] {
        let gone = self.gone
        return received.withLockedValue { $0.filter { !gone.contains($0.key) }.values.flatMap(\.report.observations) }
            + hub.observations.filter { !gone.contains($0.observer) }
    }

    /// The verdict on `gateway` this director holds from `peer`: streamed, or in its last report.
    func verdict(of gateway: GatewayName, by peer: DirectorName) -> Verdict? {
        hub.verdict(of: gateway, by: peer) ?? received.withLockedValue { $0[peer]?.verdicts[gateway] }
    }

    /// Whether a report from `peer` arrived within `window` before `now`.
    func heard(from peer: DirectorName, within window: Duration, now: Timestamp) -> Bool {
        received.withLockedValue { $0[peer].map { now - $0.receivedAt <= window } ?? false }
    }

    var reports: [DirectorName: Received] { received.withLockedValue { $0 } }
    var sends: [DirectorName: Sent] { sent.withLockedValue { $0 } }
    var refusalCounts: [String: UInt64] { refusals.withLockedValue { $0 } }

    /// Writes the exchange's families: reports accepted per peer, refused per reason, and each
    /// peer's freshness as `peers` says it.
    func write(to writer: inout PrometheusTextWriter, peers: [(peer: (region: RegionName, endpoints: DirectorEndpoints), state: PeerState)]) {
        writer.family(.peerReportsAccepted)
        for (peer, count) in accepted.withLockedValue({ $0 }).sorted(by: { $0.key < $1.key }) {
            writer.sample(.peerReportsAccepted, ["peer": peer.rawValue], count)
        }
        writer.family(.peerReportsRefused)
        let refused = refusalCounts
        for reason in Self.refusalReasons {
            writer.sample(.peerReportsRefused, ["reason": reason], refused[reason] ?? 0)
        }
        traffic.write(to: &writer)
        writer.family(.peerFresh)
        for (peer, state) in peers {
            writer.sample(.peerFresh, ["peer": peer.endpoints.name.rawValue], state == .fresh ? 1 : 0)
        }
    }
}
