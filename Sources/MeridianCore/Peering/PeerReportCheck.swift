/// The rules a peer's report keeps before anything in it is used, so that a peer can neither stop
/// this director with absurd numbers nor speak for another director:
///
/// 1. It comes from its signer, was made within `maximumSkew` of this director's clock, its
///    configuration fingerprint is at most `longestFingerprint` bytes, and the release it announces
///    (if any) passes `ConfigurationAnnouncement.problem(at:maximumSkew:)`.
/// 2. Every observation is the sender's own, of a gateway of the configuration, one per gateway;
///    its time is neither ahead of the clock by more than `maximumSkew` nor more than
///    `oldestObservation` old; its latency is between zero and `longestLatency`; its counts are
///    between zero and `largestCount`; its load is a number from zero to `LoadReading.largestRate`.
/// 3. It carries at most one override write per region and gateway of the configuration, each
///    with the checks an operator's write gets (`OverrideRules`) and not set ahead of the clock by
///    more than `maximumSkew`.
///
/// A report that breaks a rule is refused whole. One thing is set aside instead: a write set more
/// than `OverrideTable.clearanceLifetime` ago, when the clear that replaced it may already have been
/// dropped, is not merged (a director that was down for a day cannot bring back a cleared
/// override), and the rest of the report still counts.
public struct PeerReportCheck: Sendable {
    public var configuration: Configuration
    public var maximumSkew: Duration

    /// The longest latency a report may carry.
    public static let longestLatency: Duration = .seconds(3600)
    /// The largest success or failure count a report may carry.
    public static let largestCount = Int(Int32.max)
    /// The longest configuration fingerprint a report may carry (`sha256:` and 64 hex digits).
    public static let longestFingerprint = ConfigurationFingerprint.length
    /// The oldest observation a report may carry.
    public static let oldestObservation: Duration = .seconds(86_400)

    public init(configuration: Configuration, maximumSkew: Duration) {
        self.configuration = configuration
        self.maximumSkew = maximumSkew
    }

    /// The largest body a report can need under `configuration` (its JSON, every string at its
    /// longest and every character escaped): what a director reads of a peer's report at most.
    public static func largestBody(for configuration: Configuration) -> Int {
        let envelope = 4096, perObservation = 1024
        let perWrite = 1024 + 6 * (OverrideRules.longestReason + OverrideRules.longestAuthor)
        return envelope + configuration.gateways.count * perObservation + OverrideRules.largestTable(for: configuration) * perWrite
    }

    /// `report` as this director may take it from `sender` at `now` (without the writes set aside),
    /// or why it is refused.
    public func check(_ report: PeerReport, from sender: DirectorName, at now: Timestamp) -> Result<PeerReport, PeerReportRefusal> {
        guard report.from == sender else {
            return .failure(.init(.wrongSender, "a report signed by \(sender) names \(report.from) as its sender"))
        }
        guard within(report.sentAt, of: now) else {
            return .failure(.init(.badTime, "the report is dated \(report.sentAt), more than \(maximumSkew.shortDescription) from this director's clock"))
        }
        guard report.fingerprint.utf8.count <= Self.longestFingerprint else {
            return .failure(.init(.badFingerprint, "a configuration fingerprint longer than \(Self.longestFingerprint) bytes"))
        }
        if let release = report.release, let problem = release.problem(at: now, maximumSkew: maximumSkew) {
            return .failure(.init(.badRelease, "the release it announces: \(problem)"))
        }
        if let refusal = checkObservations(report.observations, from: sender, at: now) { return .failure(refusal) }
        switch checkOverrides(report.overrides, at: now) {
        case .failure(let refusal):
            return .failure(refusal)
        case .success(let writes):
            var taken = report
            taken.overrides = writes
            return .success(taken)
        }
    }

    private func checkObservations(_ observations: [Observation], from sender: DirectorName, at now: Timestamp) -> PeerReportRefusal? {
        let gateways = Set(configuration.gateways.map(\.name))
        var seen = Set<GatewayName>()
        for observation in observations {
            let gateway = observation.gateway
            guard observation.observer == sender else {
                return .init(.foreignObserver, "an observation of \(gateway) by \(observation.observer) in \(sender)'s report")
            }
            guard gateways.contains(gateway) else { return .init(.unknownGateway, "an observation of an unknown gateway '\(gateway)'") }
            guard seen.insert(gateway).inserted else { return .init(.duplicate, "two observations of \(gateway)") }
            guard observation.at <= now + maximumSkew, now - observation.at <= Self.oldestObservation else {
                return .init(.badTime, "the observation of \(gateway) is dated \(observation.at), ahead of this director's clock or over a day old")
            }
            if let latency = observation.latency, latency < .zero || latency > Self.longestLatency {
                return .init(.badLatency, "the latency of \(gateway) is outside 0...\(Self.longestLatency.shortDescription)")
            }
            if let load = observation.load, !(0...LoadReading.largestRate).contains(load) {
                return .init(.badLoad, "the load of \(gateway) is outside 0...\(Int(LoadReading.largestRate))")
            }
            let counts = 0...Self.largestCount
            guard counts.contains(observation.consecutiveSuccesses), counts.contains(observation.consecutiveFailures) else {
                return .init(.badCount, "the probe counts of \(gateway) are outside 0...\(Self.largestCount)")
            }
        }
        return nil
    }

    private func checkOverrides(_ writes: [OverrideTable.Write], at now: Timestamp) -> Result<[OverrideTable.Write], PeerReportRefusal> {
        let largest = OverrideRules.largestTable(for: configuration)
        guard writes.count <= largest else {
            return .failure(.init(.tooManyOverrides, "\(writes.count) override writes; this configuration has room for \(largest)"))
        }
        var seen = Set<Override.Target>()
        var taken: [OverrideTable.Write] = []
        for write in writes {
            let override = write.override
            if let problem = OverrideRules.problem(with: override.target, in: configuration)
                ?? OverrideRules.problem(reason: override.reason, author: override.author) {
                return .failure(.init(.badOverride, "the override write on \(override.target): \(problem)"))
            }
            guard seen.insert(override.target).inserted else { return .failure(.init(.duplicate, "two override writes on \(override.target)")) }
            guard override.setAt <= now + maximumSkew else {
                return .failure(.init(.badTime, "the override write on \(override.target) is set at \(override.setAt), ahead of this director's clock"))
            }
            if now - override.setAt <= OverrideTable.clearanceLifetime { taken.append(write) }
        }
        return .success(taken)
    }

    private func within(_ time: Timestamp, of now: Timestamp) -> Bool {
        time - now <= maximumSkew && now - time <= maximumSkew
    }
}

/// Why a peer's report was refused: a reason (the label counted in `/metrics`) and a sentence for
/// the sender's operator.
public struct PeerReportRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which rule of `PeerReportCheck` the report broke.
    public enum Reason: String, Sendable, CaseIterable {
        case wrongSender = "wrong-sender"
        case foreignObserver = "foreign-observer"
        case unknownGateway = "unknown-gateway"
        case duplicate
        case badTime = "bad-time"
        case badFingerprint = "bad-fingerprint"
        case badRelease = "bad-release"
        case badLatency = "bad-latency"
        case badCount = "bad-count"
        case badLoad = "bad-load"
        case badOverride = "bad-override"
        case tooManyOverrides = "too-many-overrides"
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
