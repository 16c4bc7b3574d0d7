import MeridianCore

/// Counters and a latency histogram for one gateway's probes, kept next to its health state.
///
/// Per-gateway series are kept here rather than in the swift-prometheus registry: registering a
/// labelled series there copies the whole family, so registering thousands of gateways took
/// seconds (4,000 gateways: 4 s) and grew with the square of their number.
struct ProbeStatistics: Sendable {
    /// Upper bounds of the latency histogram's buckets, in seconds.
    static let bucketBounds: [Double] = [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2]

    private(set) var successes: UInt64 = 0
    private(set) var failures: UInt64 = 0
    private(set) var wentUp: UInt64 = 0
    private(set) var wentDown: UInt64 = 0
    /// Cumulative counts per bucket of `bucketBounds` (a probe counts in every bucket it fits).
    private(set) var buckets = [UInt64](repeating: 0, count: ProbeStatistics.bucketBounds.count)
    private(set) var latencySum = 0.0
    var probes: UInt64 { successes + failures }

    mutating func record(_ outcome: ProbeOutcome, change: Verdict?) {
        if outcome.succeeded { successes += 1 } else { failures += 1 }
        let seconds = outcome.latency.seconds
        latencySum += seconds
        for (index, bound) in Self.bucketBounds.enumerated().reversed() {
            guard seconds <= bound else { break }
            buckets[index] += 1
        }
        if change == .up { wentUp += 1 }
        if change == .down { wentDown += 1 }
    }
}
