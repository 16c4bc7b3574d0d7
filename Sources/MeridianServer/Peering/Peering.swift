import Foundation
import MeridianCore
import NIOConcurrencyHelpers

/// A director's side of the exchange with its peers: how messages are authenticated, the latest
/// report heard from each peer, and what was refused.
public final class Peering: Sendable {
    /// A report as it was received.
    struct Received: Sendable {
        var report: PeerReport
        var receivedAt: Timestamp
    }

    /// The outcome of this director's last push to one peer.
    struct Sent: Sendable {
        var at: Timestamp
        var error: String?
    }

    let authentication: PeerAuthentication
    private let received = NIOLockedValueBox<[RegionName: Received]>([:])
    private let sent = NIOLockedValueBox<[RegionName: Sent]>([:])
    private let refusals = NIOLockedValueBox<[PeerAuthentication.Refusal: UInt64]>([:])

    public init(secret: PeerSecret) {
        authentication = PeerAuthentication(secret: secret)
    }

    /// Keeps `report` (an older one than already held is ignored). Returns whether any gateway's
    /// verdict differs from the sender's previous report.
    @discardableResult
    func accept(_ report: PeerReport, at now: Timestamp) -> Bool {
        received.withLockedValue { received in
            let previous = received[report.from]
            if let previous, previous.report.sentAt >= report.sentAt { return false }
            received[report.from] = Received(report: report, receivedAt: now)
            let before = Dictionary(previous?.report.observations.map { ($0.gateway, $0.verdict) } ?? [],
                                    uniquingKeysWith: { first, _ in first })
            return report.observations.contains { before[$0.gateway] != $0.verdict }
        }
    }

    func refused(_ refusal: PeerAuthentication.Refusal) {
        refusals.withLockedValue { $0[refusal, default: 0] += 1 }
    }

    func recordSend(to peer: RegionName, at now: Timestamp, error: String?) {
        sent.withLockedValue { $0[peer] = Sent(at: now, error: error) }
    }

    /// Every observation the peers reported.
    var observations: [Observation] {
        received.withLockedValue { $0.values.flatMap(\.report.observations) }
    }

    var reports: [RegionName: Received] { received.withLockedValue { $0 } }
    var sends: [RegionName: Sent] { sent.withLockedValue { $0 } }
    var refusalCounts: [PeerAuthentication.Refusal: UInt64] { refusals.withLockedValue { $0 } }
}
