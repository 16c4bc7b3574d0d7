import MeridianCore
import MeridianHTTP
import NIOConcurrencyHelpers

/// Counts of redirect responses for `/metrics`: by service, region and status, and by where the
/// client address came from. Each event loop counts in its own shard (its lock is never contended
/// but by a scrape), and the scrape adds them up.
public final class RedirectStatistics: Sendable {
    struct Key: Hashable {
        var service: String
        var region: String
        var status: Int
    }

    /// Why a connection was not served: the loop had its share of connections (`full`: it was closed
    /// at once), or an accept failed for want of descriptors or memory (`paused`: the loop stopped
    /// accepting for a moment).
    enum Refusal: String, CaseIterable {
        case full
        case paused
    }

    struct Counts {
        var responses: [Key: UInt64] = [:]
        var sources: [ClientAddressResolver.Source: UInt64] = [:]
        var refusals: [Refusal: UInt64] = [:]

        mutating func add(_ other: Counts) {
            responses.merge(other.responses, uniquingKeysWith: +)
            sources.merge(other.sources, uniquingKeysWith: +)
            refusals.merge(other.refusals, uniquingKeysWith: +)
        }
    }

    /// One event loop's counts.
    final class Shard: Sendable {
        private let counts = NIOLockedValueBox(Counts())

        func count(_ outcome: RedirectResponder.Outcome, responder: RedirectResponder) {
            let key = Key(service: outcome.service >= 0 ? responder.serviceNames[outcome.service].rawValue : "",
                          region: outcome.region >= 0 ? responder.regionNames[outcome.region].rawValue : "",
                          status: outcome.status)
            counts.withLockedValue { counts in
                counts.responses[key, default: 0] += 1
                if outcome.service >= 0 { counts.sources[outcome.source, default: 0] += 1 }
            }
        }

        func countRefused(_ refusal: Refusal) {
            counts.withLockedValue { $0.refusals[refusal, default: 0] += 1 }
        }

        var snapshot: Counts { counts.withLockedValue { $0 } }
    }

    private let shards = NIOLockedValueBox<[Shard]>([])

    public init() {}

    /// A new shard for one event loop.
    func makeShard() -> Shard {
        let shard = Shard()
        shards.withLockedValue { $0.append(shard) }
        return shard
    }

    /// The Prometheus text exposition of the counts.
    func exposition() -> String {
        var total = Counts()
        for shard in shards.withLockedValue({ $0 }) { total.add(shard.snapshot) }
        var text = "# HELP meridian_redirect_responses_total HTTP redirector responses, by service, chosen region and status.\n"
            + "# TYPE meridian_redirect_responses_total counter\n"
        for (key, value) in total.responses.sorted(by: { ($0.key.service, $0.key.region, $0.key.status) < ($1.key.service, $1.key.region, $1.key.status) }) {
            text += "meridian_redirect_responses_total{service=\"\(key.service)\",region=\"\(key.region)\",status=\"\(key.status)\"} \(value)\n"
        }
        text += "# HELP meridian_redirect_client_address_total Requests for a service, by where the client address came from.\n"
            + "# TYPE meridian_redirect_client_address_total counter\n"
        for source in ClientAddressResolver.Source.allCases {
            text += "meridian_redirect_client_address_total{source=\"\(source.rawValue)\"} \(total.sources[source] ?? 0)\n"
        }
        text += "# HELP meridian_redirect_connections_refused_total Connections closed at once because the listener was full, "
            + "and pauses of accepting for want of descriptors.\n# TYPE meridian_redirect_connections_refused_total counter\n"
        for refusal in Refusal.allCases {
            text += "meridian_redirect_connections_refused_total{reason=\"\(refusal.rawValue)\"} \(total.refusals[refusal] ?? 0)\n"
        }
        return text
    }
}
