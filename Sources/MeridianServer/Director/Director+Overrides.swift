import MeridianCore
import NIOConcurrencyHelpers

/// Operators' overrides: the `OverrideKeeper`'s table, answered from at once.
extension Director {
    /// The overrides in force at `now`.
    public func overrides(at now: Timestamp = .now) -> [Override] {
        overrideKeeper.inForce(at: now)
    }

    /// The override table itself, every write held.
    var overrideTable: NIOLockedValueBox<OverrideTable> { overrideKeeper.table }

    /// Applies an operator's write (set or clear) and answers from it at once (the snapshot is built
    /// before this returns, so a status read next shows it); peers get it with the next report. Returns `nil` when it was newer than what was held, and otherwise the write that
    /// holds (last writer wins: a peer's write stamped later, or at the same time by a later author).
    @discardableResult
    public func apply(_ write: OverrideTable.Write, at now: Timestamp = .now) -> OverrideTable.Write? {
        let winner = overrideKeeper.apply(write)
        if winner == nil {
            refreshSnapshot(at: now)
            ownChanged()
        }
        return winner
    }
}
