import MeridianCore

/// The times and counts a state file may hold: a file that says otherwise was not written by a
/// director of this world (a bad disk, a hand edit, a file from elsewhere) and is not trusted.
enum StatePlausibility {
    /// No time before 2000-01-01.
    static let earliest = Timestamp(secondsSinceEpoch: 946_684_800)
    /// No expiry after 2100-01-01.
    static let latestExpiry = Timestamp(secondsSinceEpoch: 4_102_444_800)
    /// How far ahead of the clock a time written by this director may be (a clock stepped back).
    static let clockStep: Duration = .seconds(86_400)
    /// The longest latency a probe could have measured.
    static let longestLatency: Duration = .seconds(3_600)

    /// What is wrong with the overrides of a state file, if anything.
    static func problem(with writes: [OverrideTable.Write], at now: Timestamp) -> String? {
        for write in writes {
            let override = write.override
            guard isPlausible(override.setAt, at: now) else {
                return "\(override.target) was set at an impossible time (\(override.setAt.nanosecondsSinceEpoch) ns)"
            }
            if let expiry = override.expiresAt, expiry < override.setAt || expiry > latestExpiry {
                return "\(override.target) expires at an impossible time (\(expiry.nanosecondsSinceEpoch) ns)"
            }
        }
        return nil
    }

    /// What is wrong with the observations of a state file, if anything.
    static func problem(with observations: [Observation], at now: Timestamp) -> String? {
        for observation in observations {
            guard isPlausible(observation.at, at: now) else {
                return "\(observation.gateway) was observed at an impossible time (\(observation.at.nanosecondsSinceEpoch) ns)"
            }
            if let latency = observation.latency, latency < .zero || latency > longestLatency {
                return "\(observation.gateway) has an impossible latency (\(latency))"
            }
            guard observation.consecutiveSuccesses >= 0, observation.consecutiveFailures >= 0 else {
                return "\(observation.gateway) has a negative count of probes"
            }
        }
        return nil
    }

    private static func isPlausible(_ time: Timestamp, at now: Timestamp) -> Bool {
        let latest = now.nanosecondsSinceEpoch.addingReportingOverflow(clockStep.nanoseconds)
        return time >= earliest && (latest.overflow || time.nanosecondsSinceEpoch <= latest.partialValue)
    }
}
