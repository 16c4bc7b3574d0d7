import Logging
import MeridianCore
import NIOConcurrencyHelpers

/// Operators' overrides as one director holds them: the table (replicated between directors, last
/// writer wins), its saving to the state folder and its journal entries. Every write it takes is
/// journaled and saved before the call returns; answering from it is the director's part.
final class OverrideKeeper: Sendable {
    /// The table itself, every write held (clears included), as peers get it.
    let table: NIOLockedValueBox<OverrideTable>
    private let state: StateStore?
    private let journal: EventJournal
    private let logger: Logger

    /// A keeper holding `restored` (the state folder's writes), saving to `state` if given.
    init(restored: [OverrideTable.Write], state: StateStore?, journal: EventJournal, logger: Logger) {
        var table = OverrideTable()
        _ = table.merge(restored)
        self.table = NIOLockedValueBox(table)
        self.state = state
        self.journal = journal
        self.logger = logger
    }

    /// The overrides in force at `now` (expired ones are dropped from the table).
    func inForce(at now: Timestamp) -> [Override] {
        table.withLockedValue { table in
            table.prune(at: now)
            return table.inForce(at: now)
        }
    }

    /// Every write held.
    var all: [OverrideTable.Write] { table.withLockedValue { $0.all } }

    /// Takes an operator's write (set or clear). Returns `nil` when it was newer than what was held
    /// (it is then logged, journaled and saved), and otherwise the write that holds.
    func apply(_ write: OverrideTable.Write) -> OverrideTable.Write? {
        let winner = table.withLockedValue { table in
            table.apply(write) ? nil : table.write(for: write.override.target)
        }
        guard winner == nil else { return winner }
        logger.notice("override", metadata: [
            "target": "\(write.override.target)", "action": "\(write.cleared ? "clear" : write.override.action.rawValue)",
            "author": "\(write.override.author)", "reason": "\(write.override.reason)",
        ])
        record(write, via: nil)
        save()
        return nil
    }

    /// Takes the writes of `peer`'s report that are newer than what is held (one lock for them all),
    /// journals and saves them. Returns whether any was taken.
    func take(_ writes: [OverrideTable.Write], from peer: DirectorName) -> Bool {
        let incoming = table.withLockedValue { table in writes.filter { table.apply($0) } }
        for write in incoming { record(write, via: peer) }
        if !incoming.isEmpty { save() }
        return !incoming.isEmpty
    }

    /// Clears the overrides on gateways and regions that `next` no longer has, as `author`: the
    /// clear is journaled, saved and replicated like an operator's, so that no director keeps
    /// applying it, and a gateway or region added again later under the same name starts without it.
    func clearRemovedTargets(of next: Configuration, author: String, at now: Timestamp) {
        let regions = Set(next.regions.map(\.name))
        let gateways = Set(next.gateways.map(\.name))
        let clears = table.withLockedValue { table -> [OverrideTable.Write] in
            let removed = table.all.filter { write in
                guard !write.cleared else { return false }
                switch write.override.target {
                case .region(let name): return !regions.contains(name)
                case .gateway(let name): return !gateways.contains(name)
                }
            }
            return removed.map { .clear($0.override.target, reason: "removed from the configuration", author: author, at: now) }
                .filter { table.apply($0) }
        }
        guard !clears.isEmpty else { return }
        for clear in clears {
            logger.notice("override cleared: its target was removed from the configuration",
                          metadata: ["target": "\(clear.override.target)"])
            record(clear, via: nil)
        }
        save()
    }

    private func record(_ write: OverrideTable.Write, via peer: DirectorName?) {
        let override = write.override
        var message = write.cleared ? "cleared by \(override.author)" : "\(override.action.rawValue) by \(override.author): \(override.reason)"
        if !write.cleared, let expiry = override.expiresAt { message += " (until \(expiry.iso8601))" }
        if let peer { message += ", via \(peer)'s director" }
        journal.record(.override, override.target.description, message, at: override.setAt)
    }

    /// Writes the table to the state folder, reading it inside the folder's lock.
    private func save() {
        guard let state else { return }
        do {
            try state.save(overrides: { table.withLockedValue { $0.all } })
        } catch {
            logger.error("cannot save overrides", metadata: ["error": "\(error)"])
        }
    }
}
