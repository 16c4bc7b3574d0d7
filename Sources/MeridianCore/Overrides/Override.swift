/// An operator's forced state for a region or a gateway.
///
/// Overrides merge by last writer wins: for each target, the newest override (by `setAt`, then by
/// `author` to break ties) is the one that counts, and it counts only until `expiresAt`. Expiry is
/// absolute time, so every director lets it go at the same moment.
public struct Override: Hashable, Sendable, Codable {
    /// What an override applies to.
    public enum Target: Hashable, Sendable, Codable, CustomStringConvertible {
        case region(RegionName)
        case gateway(GatewayName)

        public var description: String {
            switch self {
            case .region(let name): "region \(name)"
            case .gateway(let name): "gateway \(name)"
            }
        }
    }

    /// The forced state.
    public enum Action: String, Hashable, Sendable, Codable, CaseIterable {
        /// Out of service, whatever the probes say.
        case down
        /// No new clients while anything else is available; still served as a last resort, for the
        /// configuration's drain grace period, and then out of service like `down`.
        case drain
        /// In service whatever the probes say (for probes that are wrong). Removing an override is
        /// not an action: a newer `up` replaces an older `down`, and `restore` deletes it.
        case up
    }

    public var target: Target
    public var action: Action
    public var reason: String
    public var author: String
    public var setAt: Timestamp
    public var expiresAt: Timestamp?

    public init(target: Target, action: Action, reason: String, author: String, setAt: Timestamp,
                expiresAt: Timestamp? = nil) {
        self.target = target
        self.action = action
        self.reason = reason
        self.author = author
        self.setAt = setAt
        self.expiresAt = expiresAt
    }

    /// Whether the override still holds at `now`.
    public func isInForce(at now: Timestamp) -> Bool {
        expiresAt.map { now < $0 } ?? true
    }

    /// Whether `self` replaces `other` for the same target (last writer wins).
    public func supersedes(_ other: Override) -> Bool {
        (setAt, author) > (other.setAt, other.author)
    }
}

/// The overrides in force at one moment, one per target at most.
public struct OverrideSet: Sendable {
    private var byTarget: [Override.Target: Override] = [:]
    /// When the set changes by itself: the first expiry, or the end of a drain's grace period.
    public private(set) var nextChange: Timestamp?

    /// Keeps, for each target, the newest override, and then only if it is still in force at `now`.
    /// A `drain` older than `drainGrace` has had its grace period: it counts as `down` from then on.
    public init(_ overrides: [Override], at now: Timestamp, drainGrace: Duration? = nil) {
        var newest: [Override.Target: Override] = [:]
        for override in overrides {
            if let existing = newest[override.target], !override.supersedes(existing) { continue }
            newest[override.target] = override
        }
        byTarget = newest.filter { $0.value.isInForce(at: now) }.mapValues { override in
            guard override.action == .drain, let drainGrace, now - override.setAt >= drainGrace else { return override }
            var ended = override
            ended.action = .down
            ended.reason += " (drained; its \(drainGrace.shortDescription) grace period is over)"
            return ended
        }
        let graceEnds = byTarget.values.compactMap { override in
            override.action == .drain ? drainGrace.map { override.setAt + $0 } : nil
        }
        nextChange = (byTarget.values.compactMap(\.expiresAt) + graceEnds).min()
    }

    public func override(for target: Override.Target) -> Override? {
        byTarget[target]
    }

    /// Every override in force, sorted by target.
    public var all: [Override] {
        byTarget.values.sorted { $0.target.description < $1.target.description }
    }
}
