import MeridianCore

extension Director {
    /// The author of the clears a reload writes.
    static let reloadAuthor = "meridian (reload)"

    /// Clears the overrides on gateways and regions that `next` no longer has: the clear is journaled,
    /// saved and replicated like an operator's, so that no director keeps applying it, and a gateway
    /// or region added again later under the same name starts without it.
    func clearOverridesOfRemovedTargets(_ next: Configuration, at now: Timestamp = .now) {
        let regions = Set(next.regions.map(\.name))
        let gateways = Set(next.gateways.map(\.name))
        let clears = overrideTable.withLockedValue { table -> [OverrideTable.Write] in
            let removed = table.all.filter { write in
                guard !write.cleared else { return false }
                switch write.override.target {
                case .region(let name): return !regions.contains(name)
                case .gateway(let name): return !gateways.contains(name)
                }
            }
            return removed.map { .clear($0.override.target, reason: "removed from the configuration", author: Self.reloadAuthor, at: now) }
                .filter { table.apply($0) }
        }
        guard !clears.isEmpty else { return }
        for clear in clears {
            logger.notice("override cleared: its target was removed from the configuration",
                          metadata: ["target": "\(clear.override.target)"])
            journalOverride(clear, via: nil)
        }
        saveOverrides()
    }
}
