/// An exponentially weighted moving average of probe latency.
///
/// Each sample moves the average by `smoothing` of the way towards it; the first sample sets it.
/// With the default 0.3, a step change is 90% absorbed after about six probes.
public struct LatencyAverage: Hashable, Sendable, Codable {
    public private(set) var value: Duration?
    public let smoothing: Double

    public static let defaultSmoothing = 0.3

    public init(smoothing: Double = defaultSmoothing) {
        precondition(smoothing > 0 && smoothing <= 1, "smoothing must be in (0, 1]")
        self.smoothing = smoothing
    }

    public mutating func add(_ sample: Duration) {
        guard let current = value else {
            value = sample
            return
        }
        // In floating point: the difference of two extreme samples does not fit in an Int64.
        let next = Double(current.nanoseconds) + smoothing * (Double(sample.nanoseconds) - Double(current.nanoseconds))
        value = .nanoseconds(Int64(exactly: next.rounded()) ?? (next < 0 ? .min : .max))
    }
}
