import MeridianCore

/// What the state folder keeps besides the overrides (`OverrideKeeper` saves those), written by
/// the director's `StateSaver`.
extension Director {
    /// Writes the peers' replay marks to the state folder (after a message moved one).
    func savePeerMarks() {
        guard let stateSaver, let peering else { return }
        stateSaver.savePeerMarks(of: peering.authentication)
    }

    /// Writes this director's observations to the state folder when a verdict changed since the
    /// last write (called every second by `StateKeeper`).
    public func saveObservationsIfChanged() {
        stateSaver?.saveObservationsIfChanged { board.observations(by: name) }
    }
}
