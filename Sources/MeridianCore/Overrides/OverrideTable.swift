/// The overrides every director holds and replicates: per target, the newest write (last writer
/// wins by time, then author), which either sets an override or clears the target. Clears are kept
/// for a day so that they replicate and win over older writes still travelling; expired overrides
/// are dropped. Merging is commutative and idempotent, so directors converge whatever the order
/// in which writes reach them.
public struct OverrideTable: Sendable, Equatable {
    /// One write to the table.
    public struct Write: Hashable, Sendable, Codable {
        /// The override set, or (when `cleared`) the target, time and author of the clearing.
        public var override: Override
        public var cleared: Bool

        public init(_ override: Override, cleared: Bool = false) {
            self.override = override
            self.cleared = cleared
        }

        /// A write that clears `target`.
        public static func clear(_ target: Override.Target, reason: String, author: String, at now: Timestamp) -> Write {
            Write(Override(target: target, action: .up, reason: reason, author: author, setAt: now,
                           expiresAt: now + clearanceLifetime), cleared: true)
        }
    }

    /// How long a clear is kept.
    public static let clearanceLifetime: Duration = .seconds(86_400)

    private var writes: [Override.Target: Write] = [:]

    public init(_ writes: [Write] = []) {
        for write in writes { apply(write) }
    }

    /// Applies `write` if it is newer than what the table holds for its target; returns whether it was.
    @discardableResult
    public mutating func apply(_ write: Write) -> Bool {
        if let existing = writes[write.override.target], !write.override.supersedes(existing.override) { return false }
        writes[write.override.target] = write
        return true
    }

    /// The write held for `target`, if any.
    public func write(for target: Override.Target) -> Write? {
        writes[target]
    }

    /// Applies every write; returns whether any changed the table.
    @discardableResult
    public mutating func merge(_ incoming: [Write]) -> Bool {
        incoming.reduce(false) { changed, write in apply(write) || changed }
    }

    /// Drops writes that have expired at `now` (overrides past their expiry, clears past a day).
    public mutating func prune(at now: Timestamp) {
        writes = writes.filter { $0.value.override.isInForce(at: now) }
    }

    /// Every write held, for replication, sorted by target.
    public var all: [Write] {
        writes.values.sorted { $0.override.target.description < $1.override.target.description }
    }

    /// The overrides in force at `now`.
    public func inForce(at now: Timestamp) -> [Override] {
        all.filter { !$0.cleared && $0.override.isInForce(at: now) }.map(\.override)
    }
}
