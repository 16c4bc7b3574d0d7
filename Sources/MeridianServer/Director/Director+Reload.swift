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

extension Director {
    /// The outcome of a reload.
    public enum ReloadResult: Sendable {
        case reloaded(fingerprint: String)
        case unchanged
        case refused(String)
    }

    /// Reads the configuration folder again. A valid configuration that still has this director's
    /// region replaces the running one (gateways whose probes did not change keep their health); an
    /// invalid one is refused, and the running one stays.
    @discardableResult
    public func reload() -> ReloadResult {
        guard let source = loaded.withLockedValue({ $0.source }) else { return .refused("no configuration folder to reload") }
        let result: ReloadResult
        do {
            result = adopt(try ConfigurationLoader.load(directory: source))
        } catch {
            result = .refused(error.problems.map(\.description).joined(separator: "; "))
        }
        switch result {
        case .reloaded(let fingerprint):
            logger.notice("configuration reloaded", metadata: ["fingerprint": "\(fingerprint)"])
            journal.record(.configuration, "configuration", "reloaded: \(fingerprint)")
        case .unchanged:
            logger.info("configuration unchanged")
        case .refused(let reason):
            logger.error("configuration reload refused; keeping the running one", metadata: ["reason": "\(reason)"])
            journal.record(.configuration, "configuration", "reload refused, the running one stays: \(reason)")
            loaded.withLockedValue { $0.lastReloadError = reason }
        }
        return result
    }

    /// Replaces the running configuration with `next`, if it still names this director's region.
    public func adopt(_ next: Configuration) -> ReloadResult {
        guard let mine = next.region(region) else {
            return .refused("the new configuration has no region '\(region)'")
        }
        let previous = configuration
        guard next.fingerprint != previous.fingerprint || next.fingerprint.isEmpty else { return .unchanged }
        if mine.director.listenAddresses != previous.region(region)?.director.listenAddresses {
            logger.warning("listen addresses changed; they take effect when the director restarts")
        }
        scheduler.adopt(next)
        clearOverridesOfRemovedTargets(next)
        metrics.registerDecisions(of: next)
        let adopted = loaded.withLockedValue { loaded in
            loaded = LoadedConfiguration(configuration: next, loadedAt: .now, source: loaded.source)
            return loaded
        }
        refreshSnapshot(installing: Self.responder(for: adopted, region: region))
        return .reloaded(fingerprint: next.fingerprint)
    }
}
