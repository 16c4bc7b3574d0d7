/// A site's watermarks, as fractions of its capacity: when the load steered to it would pass `high`,
/// only the excess share of its clients spills to sites with room; spilled clients come back once
/// its load is below `low` (the gap keeps the answers from swinging). Invariant: `0 < low < high ≤ 1`.
public struct Watermarks: Hashable, Sendable {
    public var high: Double
    public var low: Double

    /// 90 % and 80 % of capacity.
    public static let standard = Watermarks(high: 0.9, low: 0.8)

    public init(high: Double, low: Double) {
        self.high = high
        self.low = low
    }
}

/// How a site that comes back (after an outage, a drill or an override) gets its clients again: in
/// steps, each a share of the clients it would have, each held for `hold` while the site stays
/// healthy and under its high watermark. Invariant: `steps` increase and end at 1.
public struct Failback: Hashable, Sendable {
    public var steps: [Double]
    public var hold: Duration

    /// 10 % → 50 % → 100 %, each held 30 s.
    public static let standard = Failback(steps: [0.1, 0.5, 1], hold: .seconds(30))
    /// Every client back at once (`failback: off`).
    public static let immediate = Failback(steps: [1], hold: .zero)

    public init(steps: [Double], hold: Duration) {
        self.steps = steps
        self.hold = hold
    }

    /// Whether a comeback is ramped at all.
    public var isRamped: Bool { steps.count > 1 }
}
