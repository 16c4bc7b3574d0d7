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
        private struct State {
            var counts = Counts()
            /// Fast-path counts as `BatchCounter` lays them out, for `fastRegions`.
            var fast: [UInt64] = []
            var fastRegions: [RegionName] = []
        }

        private let state = NIOLockedValueBox(State())

        /// Adds what a batch counted: one lock and a few additions per batch, no hashing while the
        /// region list stays the same.
        func add(fast: [UInt64], regions: [RegionName], slow: Counts?) {
            state.withLockedValue { state in
                if state.fast.count != fast.count || state.fastRegions != regions {
                    state.counts.add(BatchCounter.counts(fast: state.fast, regions: state.fastRegions))
                    state.fast = [UInt64](repeating: 0, count: fast.count)
                    state.fastRegions = regions
                }
                for index in fast.indices { state.fast[index] &+= fast[index] }
                if let slow { state.counts.add(slow) }
            }
        }

        func count(_ counted: Counted, regions: [RegionName], transport: DNSResponder.Transport) {
            state.withLockedValue { $0.counts.count(counted, regions: regions, udp: transport == .udp) }
        }

        /// Everything counted so far.
        var counts: Counts {
            state.withLockedValue { state in
                var counts = state.counts
                counts.add(BatchCounter.counts(fast: state.fast, regions: state.fastRegions))
                return counts
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
            counts.add(shard.counts)
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
/// shard once per batch. Fast-path answers are counted in a flat array (no hashing per query), and
/// the array is allocated once per thread, not per batch.
struct BatchCounter {
    private var regions: [RegionName] = []
    /// Index: ((region + 1) × 2 + AAAA) × 2 + client subnet used.
    private var fast: [UInt64] = [0, 0, 0, 0]
    private var slow = DNSStatistics.Counts()
    private var empty = true
    private var slowEmpty = true

    /// Starts a batch answered with `regions` (the fast path's region list).
    mutating func begin(regions: [RegionName]) {
        guard regions.count + 1 != fast.count / 4 || regions != self.regions else { return }
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
            slowEmpty = false
        }
    }

    /// Adds the batch to `shard` and starts afresh.
    mutating func flush(into shard: DNSStatistics.Shard) {
        guard !empty else { return }
        shard.add(fast: fast, regions: regions, slow: slowEmpty ? nil : slow)
        for index in fast.indices { fast[index] = 0 }
        if !slowEmpty { slow = DNSStatistics.Counts() }
        empty = true
        slowEmpty = true
    }

    /// The fast-path counts of `fast` (laid out as `BatchCounter` lays them out) as `Counts`.
    static func counts(fast: [UInt64], regions: [RegionName]) -> DNSStatistics.Counts {
        var counts = DNSStatistics.Counts()
        for (index, value) in fast.enumerated() where value > 0 {
            let region = index / 4 - 1
            let key = DNSStatistics.QueryKey(type: (index / 2) % 2 == 1 ? RecordType.aaaa.rawValue : RecordType.a.rawValue,
                                             code: ResponseCode.noError.rawValue, udp: true)
            counts.byQuery[key, default: 0] += value
            if region >= 0 { counts.byRegion[regions[region], default: 0] += value }
            if index % 2 == 1 { counts.withSubnet += value } else { counts.withoutSubnet += value }
        }
        return counts
    }
}
