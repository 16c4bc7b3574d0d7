/// What one observer, or the consensus of several, concludes about a gateway.
public enum Verdict: String, Hashable, Sendable, Codable {
    case up
    case down
    /// Not probed yet, or no fresh observation. Steering gives an unknown gateway the benefit of the
    /// doubt (it is served), so a director that has just started never answers "nothing".
    case unknown
}

/// The result of one probe of one gateway.
public struct ProbeOutcome: Hashable, Sendable, Codable {
    public var at: Timestamp
    public var succeeded: Bool
    /// How long the probe took (for a failure, until it failed).
    public var latency: Duration
    /// Why the probe failed, for the dashboard.
    public var error: String?
    /// The load the answer reported (`probe.load`), in the reading's unit, if it did.
    public var load: Double?

    public init(at: Timestamp, succeeded: Bool, latency: Duration, error: String? = nil, load: Double? = nil) {
        self.at = at
        self.succeeded = succeeded
        self.latency = latency
        self.error = error
        self.load = load
    }

    public static func success(at: Timestamp, latency: Duration) -> ProbeOutcome {
        ProbeOutcome(at: at, succeeded: true, latency: latency)
    }

    public static func failure(at: Timestamp, latency: Duration = .zero, error: String) -> ProbeOutcome {
        ProbeOutcome(at: at, succeeded: false, latency: latency, error: error)
    }
}
