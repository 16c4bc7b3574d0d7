extension SteeringPlace {
    /// All that a client's decision depends on besides the place: the route its position takes and
    /// where the winner's addresses start for it. Clients with the same key get the same decision.
    struct DecisionKey: Hashable {
        var first: RegionName
        var site: RegionName
        var notes: [PlanNote]
        var rotation: Int
    }

    /// The route of the client whose selector is `selector` (the same for every address family).
    func route(selector: UInt64) -> Route {
        route(Self.position(of: selector))
    }

    /// The key of the client whose selector is `selector` and whose route is `route`, answering `family`.
    func decisionKey(family: AddressFamily?, selector: UInt64, route: Route) -> DecisionKey {
        let count = (addresses[route.site.region.name] ?? []).count { family == nil || $0.family == family }
        return DecisionKey(first: route.first.region.name, site: route.site.region.name, notes: route.notes,
                           rotation: Steering.rotation(count: count, selector: selector))
    }

    /// The decision for the client of this place whose selector is `selector`, answering `family`
    /// (`nil`: addresses of both families); `route` is its route, when already taken.
    func decision(family: AddressFamily?, selector: UInt64, route taken: Route? = nil) -> Decision {
        let route = taken ?? route(Self.position(of: selector))
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
