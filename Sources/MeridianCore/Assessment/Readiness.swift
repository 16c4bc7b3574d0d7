/// Whether a director answers from a fresh view, which is what `/healthz` reports so that an
/// anycast or ECMP setup can withdraw a sick director's route (a liveness check is `/livez`).
///
/// The rule:
/// 1. While warming up (not every gateway probed yet, within three of its longest probe
///    intervals from the start), a director is not ready: its first answers may be guesses.
/// 2. After that, it is ready while every gateway has at least one fresh vote (its own or a peer's):
///    a gateway no fresh observation speaks for means the view it answers from is stale.
/// 3. Isolation alone does not make a director unready: when every director lost its peers at
///    once, withdrawing them all would take the whole service down; it shows in `/v1/status`.
public struct Readiness: Hashable, Sendable {
    public var ready: Bool
    /// Why, in a sentence.
    public var reason: String

    /// Judges `assessment` (the installed snapshot's) for a director that has probed `probed` of
    /// its gateways and is `warmingUp` or not.
    public static func judge(_ assessment: Assessment, probed: Int, warmingUp: Bool) -> Readiness {
        let total = assessment.configuration.gateways.count
        if warmingUp {
            return Readiness(ready: false, reason: "warming up: \(probed) of \(total) gateways probed")
        }
        let unseen = assessment.configuration.gateways.map(\.name).filter { name in
            guard let consensus = assessment.consensus.gateways[name] else { return true }
            return consensus.upVotes + consensus.downVotes == 0
        }
        guard unseen.isEmpty else {
            let named = unseen.prefix(5).map(\.rawValue).joined(separator: ", ") + (unseen.count > 5 ? ", …" : "")
            return Readiness(ready: false, reason: "no fresh observation of \(unseen.count) of \(total) gateways (\(named))")
        }
        return Readiness(ready: true, reason: "every gateway has a fresh observation")
    }
}
