import MeridianCore
import MeridianDNS

/// Counts of DNS queries and answers for `/metrics`: by query type and response code, by the region a
/// steered answer chose, and by whether the query carried a client subnet.
///
/// Counting happens in shards (`ShardedCounts`): each UDP thread has its own, and the scrape adds
/// them up.
public final class DNSStatistics: Sendable {
    /// What is counted about one answer: the fast path's compact description, or the responder's.
    enum Counted {
        case fast(DNSFastPath.Answer)
        case slow(type: RecordType?, code: ResponseCode, region: RegionName?, usedSubnet: Bool, fromRecords: Bool)
    }

    struct Counts: Sendable {
        mutating func count(_ counted: Counted, regions: [RegionName], udp: Bool) {
            switch counted {
            case .fast(let answer):
                count(type: answer.queryType, code: .noError, region: answer.regionIndex >= 0 ? regions[answer.regionIndex] : nil,
                      usedSubnet: answer.usedClientSubnet, udp: udp)
            case .slow(let type, let code, let region, let usedSubnet, let fromRecords):
                count(type: type, code: code, region: region, usedSubnet: usedSubnet, udp: udp)
                if fromRecords { staticAnswers[type?.rawValue ?? 0, default: 0] += 1 }
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
        /// Answers from static records, by query type.
        var staticAnswers: [UInt16: UInt64] = [:]

        mutating func add(_ other: Counts) {
            staticAnswers.merge(other.staticAnswers, uniquingKeysWith: +)
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

    /// What one shard holds: the responder's and the event loops' counts, and the fast path's as
    /// `BatchCounter` lays them out (for `fastRegions`), kept apart so a batch adds to them with a
    /// few additions and no hashing while the region list stays the same.
    struct Tally: AddableCounts {
        var counts = Counts()
        var fast: [UInt64] = []
        var fastRegions: [RegionName] = []

        /// Adds what a batch counted.
        mutating func add(fast batch: [UInt64], regions: [RegionName], slow: Counts?) {
            if fast.count != batch.count || fastRegions != regions {
                counts.add(BatchCounter.counts(fast: fast, regions: fastRegions))
                fast = [UInt64](repeating: 0, count: batch.count)
                fastRegions = regions
            }
            for index in batch.indices { fast[index] &+= batch[index] }
            if let slow { counts.add(slow) }
        }

        mutating func add(_ other: Tally) {
            counts.add(other.all)
        }

        /// Everything counted, the fast path's counts included.
        var all: Counts {
            var all = counts
            all.add(BatchCounter.counts(fast: fast, regions: fastRegions))
            return all
        }
    }

    /// One thread's counts (or the NIO listeners', which share `shared`).
    typealias Shard = ShardedCounts<Tally>.Shard

    private let shards = ShardedCounts<Tally>()
    /// The shard of the NIO listeners (TCP, and UDP when it runs on NIO).
    let shared: Shard

    public init() {
        shared = shards.makeShard()
    }

    /// A new shard for one thread.
    func makeShard() -> Shard {
        shards.makeShard()
    }

    /// Writes the counts' families.
    func write(to writer: inout PrometheusTextWriter) {
        let counts = shards.total.all
        writer.family(.dnsQueries)
        let queries = counts.byQuery.map { key, value in
            (type: key.type.map { RecordType(rawValue: $0).description } ?? "none",
             code: ResponseCode(rawValue: key.code).description, transport: key.udp ? "udp" : "tcp", value: value)
        }.sorted { ($0.type, $0.code, $0.transport) < ($1.type, $1.code, $1.transport) }
        for query in queries {
            writer.sample(.dnsQueries, ["type": query.type, "rcode": query.code, "transport": query.transport], query.value)
        }
        writer.family(.dnsAnswers)
        for (region, value) in counts.byRegion.sorted(by: { $0.key < $1.key }) {
            writer.sample(.dnsAnswers, ["region": region.rawValue], value)
        }
        writer.family(.dnsClientSubnet)
        writer.sample(.dnsClientSubnet, ["used": "true"], counts.withSubnet)
        writer.sample(.dnsClientSubnet, ["used": "false"], counts.withoutSubnet)
        writer.family(.dnsStaticAnswers)
        for (type, value) in counts.staticAnswers.sorted(by: { $0.key < $1.key }) {
            writer.sample(.dnsStaticAnswers, ["type": RecordType(rawValue: type).description], value)
        }
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
        let batch = slowEmpty ? nil : slow
        // Reads `fast` in place (a capture would copy it, and the zeroing below would then copy it again).
        shard.update { $0.add(fast: fast, regions: regions, slow: batch) }
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
