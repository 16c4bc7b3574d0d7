/// Where one client is sent for one service, with everything needed to explain why.
public struct Decision: Sendable {
    /// The outcome of a decision.
    public enum Outcome: Hashable, Sendable {
        /// A site was chosen.
        case site(RegionName)
        /// No site could take the client; the service's all-down behaviour applied.
        case allDown(AllDownBehaviour)
    }

    public var service: Service
    public var client: ClientLocation
    public var outcome: Outcome
    /// The addresses to answer (for the query's address family when one was given), rotated and
    /// capped at the service's `maxAnswers`.
    public var addresses: [IPAddress]
    /// Where the redirector sends the client, if the service redirects.
    public var redirectURL: BaseURL?
    /// How the service's clients in this location split between sites: the chosen site takes 1, except
    /// under `weighted`, where every eligible site takes its share. Empty when all sites are down.
    public var shares: [RegionName: Double]
    /// Every region of the service, best first.
    public var candidates: [Candidate]
    /// Why the winner won, in one sentence.
    public var reason: String
    /// What the service's load plan did to this client: a failing-back site it passed, a full site
    /// that shed it or kept it.
    public var notes: [PlanNote]
    /// Whether the deciding director was isolated from all its peers.
    public var isolated: Bool
    public var at: Timestamp
    /// The TTL the answer carries: the service's `ttl`, or its `ttl-min` while a site is in doubt (`AnswerTTL`).
    public var ttl: UInt32
    /// Why the TTL is `ttl-min`, when it is.
    public var ttlDoubt: String?

    public init(service: Service, client: ClientLocation, outcome: Outcome, addresses: [IPAddress],
                redirectURL: BaseURL?, shares: [RegionName: Double], candidates: [Candidate], reason: String,
                notes: [PlanNote] = [], isolated: Bool, at: Timestamp) {
        self.service = service
        self.client = client
        self.outcome = outcome
        self.addresses = addresses
        self.redirectURL = redirectURL
        self.shares = shares
        self.candidates = candidates
        self.reason = reason
        self.notes = notes
        self.isolated = isolated
        self.at = at
        ttl = service.ttl
    }

    /// The decision answering with `answerTTL`.
    public func with(_ answerTTL: AnswerTTL) -> Decision {
        var decision = self
        decision.ttl = answerTTL.ttl
        decision.ttlDoubt = answerTTL.doubt
        return decision
    }

    /// The chosen site, if any.
    public var chosenRegion: RegionName? {
        if case .site(let region) = outcome { return region }
        return nil
    }
}

/// What a service's load plan (`ServiceLoadPlan`) did to one client.
public enum PlanNote: Hashable, Sendable {
    /// `region`, the policy's pick, is failing back and has `share` of its clients back; this client
    /// is not one of them yet, so it went to the policy's next pick.
    case notBackYet(region: RegionName, share: Double)
    /// `from` is over its high watermark with `demand` of `capacity`; this client is in the `share`
    /// of its clients sent to `to`. `short`: the whole fleet is over its watermarks.
    case spilled(from: RegionName, to: RegionName, demand: Double, capacity: Double, share: Double, short: Bool)
    /// `region` is over its high watermark, and this client is in the `share` it keeps.
    case kept(region: RegionName, demand: Double, capacity: Double, share: Double, short: Bool)
}

/// One region as a candidate in a decision.
public struct Candidate: Hashable, Sendable {
    public var region: RegionName
    public var availability: SiteAvailability
    /// Why the site has its availability.
    public var status: String
    public var healthyGateways: Int
    public var gateways: Int
    public var score: Double
    public var weight: Double
    /// Great-circle distance from the client, when the client's location is known.
    public var distanceKilometres: Double?
    /// The latency the policy compared (for `latency`, as measured by `latencyObserver`).
    public var latency: Duration?
    public var latencyObserver: RegionName?
    /// The site's share of this client's traffic.
    public var share: Double
    /// Whether the policy could choose this site (available, or drained when nothing is).
    public var eligible: Bool
}
