/// The health state machine of one gateway as one director sees it, with gdnsd-style anti-flap.
///
/// - The first probe result decides at once (a fresh director should not wait `rise` probes to
///   learn anything).
/// - An `up` gateway counts failures, and the count is cleared only by `rise` successes in a row;
///   when it reaches `fall`, the gateway goes `down`. A gateway that fails every other probe
///   therefore goes down, where a "consecutive failures" rule would keep it up forever.
/// - A `down` gateway goes `up` after `rise` successes in a row; any failure restarts the count.
///
/// Only successful probes feed the latency average (a timeout says nothing about latency) and set
/// the reported load (a successful answer without a reading clears it).
public struct GatewayHealth: Hashable, Sendable {
    public let rise: Int
    public let fall: Int
    public private(set) var verdict: Verdict = .unknown
    /// Successes in a row (0 after any failure).
    public private(set) var consecutiveSuccesses = 0
    /// Failures in a row (0 after any success).
    public private(set) var consecutiveFailures = 0
    /// Failures counted towards `fall` while up; cleared by `rise` successes in a row.
    public private(set) var strikes = 0
    public private(set) var latency = LatencyAverage()
    public private(set) var lastOutcome: ProbeOutcome?
    /// The load the last successful answer reported (`probe.load`), in the reading's unit.
    public private(set) var load: Double?
    /// When the verdict last changed.
    public private(set) var since: Timestamp?

    public init(rise: Int, fall: Int) {
        precondition(rise >= 1 && fall >= 1, "rise and fall must be at least 1")
        self.rise = rise
        self.fall = fall
    }

    public init(settings: ProbeSettings) {
        self.init(rise: settings.rise, fall: settings.fall)
    }

    /// A change of verdict that a probe result caused.
    public struct Change: Hashable, Sendable {
        public var from: Verdict
        public var to: Verdict
        public var at: Timestamp
        public var reason: String
    }

    /// Records one probe result; returns the change of verdict it caused, if any.
    public mutating func record(_ outcome: ProbeOutcome) -> Change? {
        lastOutcome = outcome
        if outcome.succeeded {
            consecutiveSuccesses += 1
            consecutiveFailures = 0
            latency.add(outcome.latency)
            load = outcome.load
        } else {
            consecutiveFailures += 1
            consecutiveSuccesses = 0
        }
        let previous = verdict
        switch (verdict, outcome.succeeded) {
        case (.unknown, true):
            verdict = .up
        case (.unknown, false):
            verdict = .down
        case (.up, true):
            if consecutiveSuccesses >= rise { strikes = 0 }
        case (.up, false):
            strikes += 1
            if strikes >= fall { verdict = .down }
        case (.down, true):
            if consecutiveSuccesses >= rise { verdict = .up }
        case (.down, false):
            break
        }
        guard verdict != previous else { return nil }
        strikes = 0
        since = outcome.at
        return Change(from: previous, to: verdict, at: outcome.at, reason: reason(for: outcome, from: previous))
    }

    private func reason(for outcome: ProbeOutcome, from previous: Verdict) -> String {
        switch (previous, verdict) {
        case (.unknown, _):
            outcome.succeeded ? "first probe succeeded" : "first probe failed: \(outcome.error ?? "failure")"
        case (_, .down):
            "\(fall) failed probe\(fall == 1 ? "" : "s") without \(rise) successes in a row; last: \(outcome.error ?? "failure")"
        default:
            "\(rise) successful probe\(rise == 1 ? "" : "s") in a row"
        }
    }

    /// This director's observation of the gateway, for consensus and for peers.
    public func observation(of gateway: GatewayName, by observer: DirectorName) -> Observation? {
        guard let lastOutcome else { return nil }
        return Observation(gateway: gateway, observer: observer, verdict: verdict, latency: latency.value,
                           consecutiveSuccesses: consecutiveSuccesses, consecutiveFailures: consecutiveFailures,
                           load: load, at: lastOutcome.at)
    }
}
