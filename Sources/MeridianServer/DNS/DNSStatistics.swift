import MeridianCore
import MeridianDNS
import NIOConcurrencyHelpers

/// Counts of DNS queries and answers for `/metrics`: by query type and response code, by the region a
/// steered answer chose, and by whether the query carried a client subnet.
///
/// Counting happens in shards: each UDP thread has its own (its lock is never contended), and the
/// scrape adds them up.
public final class DNSStatistics: Sendable {
    /// What is counted about one answer: the fast path's compact description, or the responder's.
    enum Counted {
        case fast(DNSFastPath.Answer)
        case slow(type: RecordType?, code: ResponseCode, region: RegionName?, usedSubnet: Bool)
    }

    struct Counts {
        mutating func count(_ counted: Counted, regions: [RegionName], udp: Bool) {
            switch counted {
            case .fast(let answer):
                count(type: answer.queryType, code: .noError, region: answer.regionIndex >= 0 ? regions[answer.regionIndex] : nil,
                      usedSubnet: answer.usedClientSubnet, udp: udp)
            case .slow(let type, let code, let region, let usedSubnet):
                count(type: type, code: code, region: region, usedSubnet: usedSubnet, udp: udp)
            }
        }

        /// Counts one query in place (the caller holds these counts alone).
        mutating func count(type: RecordType?, code: ResponseCode, region: RegionName?, usedSubnet: Bool, udp: Bool) {
            byQuery[QueryKey(type: type?.rawValue, code: code.rawValue, udp: udp), default: 0] += 1
            if let region { byRegion[region, default: 0] += 1 }
            if usedSubnet { withSubnet += 1 } else { withoutSubnet += 1 }
        }

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

        /// Adds what a batch counted locally: one lock per batch rather than per query.
        func add(_ batch: Counts) {
            counts.withLockedValue { $0.add(batch) }
        }

        func count(_ counted: Counted, regions: [RegionName], transport: DNSResponder.Transport) {
            counts.withLockedValue { $0.count(counted, regions: regions, udp: transport == .udp) }
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

/// The counts of one batch of UDP queries, kept by the thread that answers them and added to its
/// shard once per batch. Fast-path answers are counted in a flat array (no hashing per query).
struct BatchCounter {
    private let regions: [RegionName]
    /// Index: ((region + 1) × 2 + AAAA) × 2 + client subnet used.
    private var fast: [UInt64]
    private var slow = DNSStatistics.Counts()
    private var empty = true

    init(regions: [RegionName]) {
        self.regions = regions
        fast = [UInt64](repeating: 0, count: (regions.count + 1) * 4)
    }

    mutating func count(_ counted: DNSStatistics.Counted) {
        empty = false
        switch counted {
        case .fast(let answer):
            let family = answer.queryType == .aaaa ? 1 : 0
            fast[((answer.regionIndex + 1) * 2 + family) * 2 + (answer.usedClientSubnet ? 1 : 0)] += 1
        case .slow:
            slow.count(counted, regions: regions, udp: true)
        }
    }

    /// Adds the batch to `shard`.
    func flush(into shard: DNSStatistics.Shard) {
        guard !empty else { return }
        var counts = slow
        for (index, value) in fast.enumerated() where value > 0 {
            let region = index / 4 - 1
            let key = DNSStatistics.QueryKey(type: (index / 2) % 2 == 1 ? RecordType.aaaa.rawValue : RecordType.a.rawValue,
                                             code: ResponseCode.noError.rawValue, udp: true)
            counts.byQuery[key, default: 0] += value
            if region >= 0 { counts.byRegion[regions[region], default: 0] += value }
            if index % 2 == 1 { counts.withSubnet += value } else { counts.withoutSubnet += value }
        }
        shard.add(counts)
    }
}
