import MeridianCore

/// How a restarted director warms up: the observations the state folder held at start stand in, as
/// if made now, for the gateways it has not probed yet, for as long as the longest freshness of the
/// configuration's gateways, so that its first answers are not guesses.
struct WarmUp: Sendable {
    /// This director's own observations, as the state folder held them.
    let restored: [Observation]
    let startedAt: Timestamp

    /// The restored observations for the gateways not in `own`, as if made at `now`; none once the
    /// warm-up is over.
    func observations(own: [Observation], configuration: Configuration, at now: Timestamp) -> [Observation] {
        guard !restored.isEmpty else { return [] }
        let window = configuration.gateways.map { configuration.freshness(of: $0) }.max() ?? .seconds(5)
        guard now - startedAt < window else { return [] }
        let probed = Set(own.map(\.gateway))
        return restored.filter { !probed.contains($0.gateway) }.map { observation in
            var current = observation
            current.at = now
            return current
        }
    }
}
