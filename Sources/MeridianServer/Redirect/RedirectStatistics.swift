import MeridianCore
import MeridianHTTP

/// Counts of redirect responses for `/metrics`: by service, region and status, and by where the
/// client address came from. Each event loop counts in its own shard (`ShardedCounts`), and the
/// scrape adds them up.
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

    /// How a handshake on the HTTPS listener ended: completed in full or resumed from a session
    /// ticket, or failed: a plain HTTP request (answered 400), bytes that are no TLS record (closed),
    /// a handshake OpenSSL refused, or one not done within the head timeout.
    enum Handshake: String, CaseIterable {
        case full
        case resumed
        case plainHTTP = "plain-http"
        case notTLS = "not-tls"
        case failed
        case timedOut = "timed-out"
    }

    /// What one shard holds.
    struct Counts: AddableCounts {
        var responses: [Key: UInt64] = [:]
        var sources: [ClientAddressResolver.Source: UInt64] = [:]
        var refusals: [Refusal: UInt64] = [:]
        var handshakes: [Handshake: UInt64] = [:]

        init() {}

        mutating func add(_ other: Counts) {
            responses.merge(other.responses, uniquingKeysWith: +)
            sources.merge(other.sources, uniquingKeysWith: +)
            refusals.merge(other.refusals, uniquingKeysWith: +)
            handshakes.merge(other.handshakes, uniquingKeysWith: +)
        }

        /// Counts one response `responder` gave.
        mutating func count(_ outcome: RedirectResponder.Outcome, responder: RedirectResponder) {
            let key = Key(service: outcome.service >= 0 ? responder.serviceNames[outcome.service].rawValue : "",
                          region: outcome.region >= 0 ? responder.regionNames[outcome.region].rawValue : "",
                          status: outcome.status)
            responses[key, default: 0] += 1
            if outcome.service >= 0 { sources[outcome.source, default: 0] += 1 }
        }

        mutating func countRefused(_ refusal: Refusal) {
            refusals[refusal, default: 0] += 1
        }

        mutating func count(_ handshake: Handshake) {
            handshakes[handshake, default: 0] += 1
        }
    }

    /// One event loop's counts.
    typealias Shard = ShardedCounts<Counts>.Shard

    private let shards = ShardedCounts<Counts>()

    public init() {}

    /// A new shard for one event loop.
    func makeShard() -> Shard {
        shards.makeShard()
    }

    /// Writes the counts' families.
    func write(to writer: inout PrometheusTextWriter) {
        let total = shards.total
        writer.family(.redirectResponses)
        for (key, value) in total.responses.sorted(by: { ($0.key.service, $0.key.region, $0.key.status) < ($1.key.service, $1.key.region, $1.key.status) }) {
            writer.sample(.redirectResponses, ["service": key.service, "region": key.region, "status": "\(key.status)"], value)
        }
        writer.family(.redirectClientAddress)
        for source in ClientAddressResolver.Source.allCases {
            writer.sample(.redirectClientAddress, ["source": source.rawValue], total.sources[source] ?? 0)
        }
        writer.family(.redirectConnectionsRefused)
        for refusal in Refusal.allCases {
            writer.sample(.redirectConnectionsRefused, ["reason": refusal.rawValue], total.refusals[refusal] ?? 0)
        }
        writer.family(.redirectTLSHandshakes)
        for handshake in Handshake.allCases {
            writer.sample(.redirectTLSHandshakes, ["outcome": handshake.rawValue], total.handshakes[handshake] ?? 0)
        }
    }
}
