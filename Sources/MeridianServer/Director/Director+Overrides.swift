import MeridianCore

/// Operators' overrides: the table in force, writes applied and journaled.
extension Director {
    /// The overrides in force at `now`.
    public func overrides(at now: Timestamp = .now) -> [Override] {
        overrideTable.withLockedValue { table in
            table.prune(at: now)
            return table.inForce(at: now)
        }
    }

    /// Applies an operator's write (set or clear) and answers from it at once; peers get it with the
    /// next report. Returns `nil` when it was newer than what was held, and otherwise the write that
    /// holds (last writer wins: a peer's write stamped later, or at the same time by a later author).
    @discardableResult
    public func apply(_ write: OverrideTable.Write, at now: Timestamp = .now) -> OverrideTable.Write? {
        let winner = overrideTable.withLockedValue { table in
            table.apply(write) ? nil : table.write(for: write.override.target)
        }
        if winner == nil {
            logger.notice("override", metadata: [
                "target": "\(write.override.target)", "action": "\(write.cleared ? "clear" : write.override.action.rawValue)",
                "author": "\(write.override.author)", "reason": "\(write.override.reason)",
            ])
            journalOverride(write, via: nil)
            saveOverrides()
            refreshSnapshot()
            ownChanged()
        }
        return winner
    }

    func journalOverride(_ write: OverrideTable.Write, via peer: RegionName?) {
        let override = write.override
        var message = write.cleared ? "cleared by \(override.author)" : "\(override.action.rawValue) by \(override.author): \(override.reason)"
        if !write.cleared, let expiry = override.expiresAt { message += " (until \(expiry.iso8601))" }
        if let peer { message += ", via \(peer)'s director" }
        journal.record(.override, override.target.description, message, at: override.setAt)
    }
}
