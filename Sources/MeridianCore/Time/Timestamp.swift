/// A moment in wall-clock time, in nanoseconds since the Unix epoch.
///
/// Decision logic never reads a clock: callers pass the current `Timestamp` in, so the same inputs
/// always give the same decision. Wall-clock time (not a monotonic clock) because directors compare
/// observations and override expiries with each other.
///
/// Arithmetic saturates at the ends of the range (about the years 1677 and 2262) instead of
/// trapping: times come from peers and from files, and no time may stop the process.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    /// A timestamp a whole number of seconds after the epoch (saturating).
    public init(secondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = secondsSinceEpoch.saturatingMultiplied(by: 1_000_000_000)
    }

    /// A timestamp a whole number of microseconds after the epoch (saturating), as peers sign times.
    public init(microsecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = microsecondsSinceEpoch.saturatingMultiplied(by: 1_000)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: lhs.nanosecondsSinceEpoch.saturatingAdding(rhs.nanoseconds))
    }

    public static func - (lhs: Timestamp, rhs: Duration) -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: lhs.nanosecondsSinceEpoch.saturatingSubtracting(rhs.nanoseconds))
    }

    /// The time elapsed from `rhs` to `lhs` (saturating at ±`Int64.max` nanoseconds, about 292 years).
    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        .nanoseconds(lhs.nanosecondsSinceEpoch.saturatingSubtracting(rhs.nanosecondsSinceEpoch))
    }

    public var description: String { "@\(Double(nanosecondsSinceEpoch) / 1e9)" }
}

extension Duration {
    /// This duration in whole nanoseconds (truncated), saturating at `Int64.min` and `Int64.max`:
    /// a `Duration` decoded from a peer's JSON can be far longer than 292 years.
    public var nanoseconds: Int64 {
        if self >= .nanoseconds(Int64.max) { return .max }
        if self <= .nanoseconds(Int64.min) { return .min }
        // In range: neither the seconds nor their sum can overflow.
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// This duration in seconds, as a floating-point number (saturating like `nanoseconds`
    /// beyond ±292 years).
    public var seconds: Double {
        guard self < .nanoseconds(Int64.max), self > .nanoseconds(Int64.min) else { return Double(nanoseconds) / 1e9 }
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// This duration in milliseconds, as a floating-point number.
    public var milliseconds: Double { seconds * 1000 }
}

extension Int64 {
    /// `self + other`, held at the ends of the range instead of overflowing.
    package func saturatingAdding(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    /// `self - other`, held at the ends of the range instead of overflowing.
    package func saturatingSubtracting(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : difference
    }

    /// `self * other`, held at the ends of the range instead of overflowing.
    package func saturatingMultiplied(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) == (other < 0) ? .max : .min) : product
    }
}
