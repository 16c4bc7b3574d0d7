import MeridianCore
import MeridianDNS
import NIOConcurrencyHelpers

/// Counts of DNS queries and answers for `/metrics`: by query type and response code, by the region a
/// steered answer chose, and by whether the query carried a client subnet.
///
/// Counting happens in shards: each UDP thread has its own (its lock is never contended), and the
/// scrape adds them up.
public final class DNSStatistics: Sendable {
    struct Counts {
        /// Keyed by query type, response code and transport.
        var byQuery: [QueryKey: UInt64] = [:]
        var byRegion: [RegionName: UInt64] = [:]
        var withSubnet: UInt64 = 0
        var withoutSubnet: UInt64 = 0

        mutating func add(_ other: Counts) {
            byQuery.merge(other.byQuery, uniquingKeysWith: +)
            byRegion.merge(other.byRegion, uniquingKeysWith: +)
            withSubnet += other.withSubnet
            withoutSubnet += other.withoutSubnet
        }
    }

    struct QueryKey: Hashable {
        var type: UInt16?
        var code: UInt16
        var udp: Bool
    }

    /// One set of counters, for one thread (or for the event loops, which share `shared`).
    final class Shard: Sendable {
        let counts = NIOLockedValueBox(Counts())

        func count(type: RecordType?, code: ResponseCode, region: RegionName?, usedSubnet: Bool,
                   transport: DNSResponder.Transport) {
            let key = QueryKey(type: type?.rawValue, code: code.rawValue, udp: transport == .udp)
            counts.withLockedValue { counts in
                counts.byQuery[key, default: 0] += 1
                if let region { counts.byRegion[region, default: 0] += 1 }
                if usedSubnet { counts.withSubnet += 1 } else { counts.withoutSubnet += 1 }
            }
        }
    }

    /// The shard of the NIO listeners (TCP, and UDP when it runs on NIO).
    let shared = Shard()
    private let shards = NIOLockedValueBox<[Shard]>([])

    public init() {}

    /// A new shard for one thread.
    func makeShard() -> Shard {
        let shard = Shard()
        shards.withLockedValue { $0.append(shard) }
        return shard
    }

    /// The Prometheus text exposition of the counts.
    func exposition() -> String {
        var counts = Counts()
        for shard in shards.withLockedValue({ $0 }) + [shared] {
            counts.add(shard.counts.withLockedValue { $0 })
        }
        var text = "# HELP meridian_dns_queries_total DNS queries answered, by query type, response code and transport.\n"
            + "# TYPE meridian_dns_queries_total counter\n"
        let queries = counts.byQuery.map { key, value in
            (type: key.type.map { RecordType(rawValue: $0).description } ?? "none",
             code: ResponseCode(rawValue: key.code).description, transport: key.udp ? "udp" : "tcp", value: value)
        }.sorted { ($0.type, $0.code, $0.transport) < ($1.type, $1.code, $1.transport) }
        for query in queries {
            text += "meridian_dns_queries_total{type=\"\(query.type)\",rcode=\"\(query.code)\",transport=\"\(query.transport)\"} \(query.value)\n"
        }
        text += "# HELP meridian_dns_answers_total Steered DNS answers, by chosen region.\n# TYPE meridian_dns_answers_total counter\n"
        for (region, value) in counts.byRegion.sorted(by: { $0.key < $1.key }) {
            text += "meridian_dns_answers_total{region=\"\(region)\"} \(value)\n"
        }
        text += "# HELP meridian_dns_client_subnet_total DNS queries by whether an EDNS client subnet located the client.\n"
            + "# TYPE meridian_dns_client_subnet_total counter\n"
            + "meridian_dns_client_subnet_total{used=\"true\"} \(counts.withSubnet)\n"
            + "meridian_dns_client_subnet_total{used=\"false\"} \(counts.withoutSubnet)\n"
        return text
    }
}
