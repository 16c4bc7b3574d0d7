extension SteeringPlace {
    /// The decision for the client of this place whose selector is `selector`, answering `family`
    /// (`nil`: addresses of both families).
    func decision(family: AddressFamily?, selector: UInt64) -> Decision {
        let route = route(Self.position(of: selector))
        let winner = route.site
        var reason = ranking.reason
        if ranking.weighted != nil { reason += "; this client falls to \(route.first.region.name)" }
        if onlyDrained { reason = "no site is available, so drained sites are used: " + reason }
        for note in route.notes { reason += "; " + note.text }
        return Decision(
            service: service, client: client, outcome: .site(winner.region.name),
            addresses: Steering.answerSet(addresses[winner.region.name] ?? [], family: family,
                                          limit: service.maxAnswers, selector: selector),
            redirectURL: service.redirect?.urls[winner.region.name], shares: shares,
            candidates: candidates[route.first.region.name] ?? [],
            reason: reason, notes: route.notes, isolated: assessment.consensus.isolated, at: assessment.at)
    }
}

extension PlanNote {
    /// The note as a clause of a decision's reason.
    public var text: String {
        switch self {
        case .notBackYet(let region, let share):
            return "\(region) is failing back with \(share.percentage) of its clients back, and this client is not yet one of them"
        case .spilled(let from, let to, let demand, let capacity, let share, let short):
            return "\(from) is over its high watermark (\(demand.formatted) of \(capacity.formatted))"
                + (short ? ", and so is the whole fleet" : "") + "; this client is in the \(share.percentage) sent to \(to)"
        case .kept(let region, let demand, let capacity, let share, let short):
            return "\(region) is over its high watermark (\(demand.formatted) of \(capacity.formatted))"
                + (short ? ", and so is the whole fleet" : "") + "; this client is in the \(share.percentage) it keeps"
        }
    }
}
