import MeridianCore
import NIOConcurrencyHelpers

/// The bytes this director exchanged with each peer, by how: the streamed exchange's records, and
/// JSON reports (pushed, and sent back in reply). Counted at the HTTP body: the records as sealed,
/// the reports as encoded; HTTP headers, chunk framing and TCP/IP are not in it.
final class PeerTraffic: Sendable {
    /// How bytes went between two directors.
    enum Kind: String, Sendable, CaseIterable {
        case stream
        case report
    }

    /// Bytes sent to and received from one peer one way.
    struct Bytes: Sendable, Equatable {
        var sent: UInt64 = 0
        var received: UInt64 = 0
    }

    private let counts = NIOLockedValueBox<[DirectorName: [Kind: Bytes]]>([:])

    func sent(_ count: Int, to peer: DirectorName, as kind: Kind) {
        counts.withLockedValue { $0[peer, default: [:]][kind, default: Bytes()].sent += UInt64(max(count, 0)) }
    }

    func received(_ count: Int, from peer: DirectorName, as kind: Kind) {
        counts.withLockedValue { $0[peer, default: [:]][kind, default: Bytes()].received += UInt64(max(count, 0)) }
    }

    /// Every peer's counts.
    var all: [DirectorName: [Kind: Bytes]] { counts.withLockedValue { $0 } }

    /// The sum over every peer and kind.
    var total: Bytes {
        all.values.flatMap(\.values).reduce(into: Bytes()) { sum, bytes in
            sum.sent += bytes.sent
            sum.received += bytes.received
        }
    }

    /// Writes `meridian_peer_bytes_sent_total` and `meridian_peer_bytes_received_total` by peer and kind.
    func write(to writer: inout PrometheusTextWriter) {
        let counts = all.sorted { $0.key < $1.key }
        for (series, sent) in [(MetricSeries.peerBytesSent, true), (.peerBytesReceived, false)] {
            writer.family(series)
            for (peer, kinds) in counts {
                for kind in Kind.allCases {
                    let bytes = kinds[kind] ?? Bytes()
                    writer.sample(series, ["peer": peer.rawValue, "kind": kind.rawValue], sent ? bytes.sent : bytes.received)
                }
            }
        }
    }
}
