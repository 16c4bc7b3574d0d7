import MeridianCore

/// The shared probe budget: the directors of a region split the gateways between them
/// (`ProbeShare`), and a region-mate that goes silent has its share taken over at once.
extension Director {
    /// How long a region-mate may stay unheard and still be counted on to probe its share: two
    /// exchange intervals (one missed report).
    var regionMateWindow: Duration {
        loadedConfiguration.shortestProbeInterval * 2
    }

    /// The region-mates this director hears from now: a report arrived within `regionMateWindow`,
    /// and no push to the mate has failed since (a killed director refuses the next push at once;
    /// a hung one times out).
    func activeRegionMates(at now: Timestamp) -> Set<DirectorName> {
        guard let peering else { return [] }
        let reports = peering.reports
        let sends = peering.sends
        let window = regionMateWindow
        return ProbeShare.activeDirectors(of: name, in: configuration) { mate in
            guard let heard = reports[mate]?.receivedAt, now - heard <= window else { return false }
            if let sent = sends[mate], sent.error != nil, sent.at >= heard { return false }
            return true
        }.subtracting([name])
    }

    /// Gives the probes this director's share of the gateways under the region-mates it hears from
    /// now (every gateway while it hears none), and journals a change.
    func updateProbeShare(at now: Timestamp = .now) {
        let mates = activeRegionMates(at: now)
        let loaded = loadedConfiguration
        // The share is worked out again only when the mates or the configuration changed (it hashes every gateway of the region).
        let unchanged = shareInputs.withLockedValue { inputs in
            defer { inputs = (mates, loaded.loadedAt) }
            return inputs.map { $0.mates == mates && $0.loadedAt == loaded.loadedAt } ?? false
        }
        guard !unchanged else { return }
        let configuration = loaded.configuration
        let share = mates.isEmpty ? nil : ProbeShare.gateways(of: name, in: configuration, active: mates)
        guard scheduler.probe(only: share) else { return }
        let text = share.map { "probing \($0.count) of \(configuration.gateways.count) gateways, shared with \(mates.sorted().map(\.rawValue).joined(separator: ", "))" }
            ?? "probing every gateway (no region-mate heard)"
        logger.info("probe share changed", metadata: ["share": "\(text)"])
        journal.record(.peer, name.rawValue, text, at: now)
    }
}
