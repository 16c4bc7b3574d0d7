import MeridianCore

/// What the state folder keeps besides the overrides (`OverrideKeeper` saves those): this director's
/// observations and the peers' replay marks.
extension Director {
    /// Writes the peers' replay marks to the state folder (after a message moved one), so that a
    /// message captured before a restart cannot be replayed after it. Saves are serialized, each
    /// reading the marks inside the lock, so an older set is never written last.
    func savePeerMarks() {
        guard let state, let peering else { return }
        savingPeerMarks.withLock {
            do {
                try state.save { peering.authentication.marks }
            } catch {
                logger.error("cannot save the peers' replay marks", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Writes this director's observations to the state folder when a verdict changed since the
    /// last write (called every second by `StateKeeper`).
    public func saveObservationsIfChanged() {
        guard let state else { return }
        do {
            try state.save(observations: { () -> [Observation]? in
                let observations = board.observations(by: region)
                let verdicts = Dictionary(observations.map { ($0.gateway, $0.verdict) }, uniquingKeysWith: { first, _ in first })
                return savedVerdicts.withLockedValue { saved in
                    guard saved != verdicts else { return nil }
                    saved = verdicts
                    return observations
                }
            })
        } catch {
            // Written again at the next call.
            savedVerdicts.withLockedValue { $0 = [:] }
            logger.error("cannot save observations", metadata: ["error": "\(error)"])
        }
    }
}
