/// One director's current verdict and latency for one gateway: the unit directors share.
public struct Observation: Hashable, Sendable, Codable {
    public var gateway: GatewayName
    /// The director that made the observation.
    public var observer: DirectorName
    public var verdict: Verdict
    /// The observer's latency average for the gateway, if it has one.
    public var latency: Duration?
    /// The load the gateway last reported to the observer (`probe.load`), in the reading's unit.
    public var load: Double?
    public var consecutiveSuccesses: Int
    public var consecutiveFailures: Int
    /// When the observer last probed the gateway.
    public var at: Timestamp

    public init(gateway: GatewayName, observer: DirectorName, verdict: Verdict, latency: Duration? = nil,
                consecutiveSuccesses: Int = 0, consecutiveFailures: Int = 0, load: Double? = nil, at: Timestamp) {
        self.gateway = gateway
        self.observer = observer
        self.verdict = verdict
        self.latency = latency
        self.load = load
        self.consecutiveSuccesses = consecutiveSuccesses
        self.consecutiveFailures = consecutiveFailures
        self.at = at
    }
}
