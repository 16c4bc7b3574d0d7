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
    /// Whether the deciding director was isolated from all its peers.
    public var isolated: Bool
    public var at: Timestamp

    /// The chosen site, if any.
    public var chosenRegion: RegionName? {
        if case .site(let region) = outcome { return region }
        return nil
    }
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
