/// What answering needs to steer: the sites as the director sees them, how to locate clients, and
/// every prebuildable decision (`grid`). Immutable; the director replaces it whenever a decision
/// input changes.
public struct SteeringSnapshot: Sendable {
    public let assessment: Assessment
    public let locator: ClientLocator
    /// The answering director's region (the fallback location of an unmatched client).
    public let vantage: Region?
    /// The decisions for every service, place, lane and family, made once per snapshot.
    public let grid: DecisionGrid

    public init(assessment: Assessment, locator: ClientLocator, vantage: Region?) {
        self.assessment = assessment
        self.locator = locator
        self.vantage = vantage
        grid = DecisionGrid(assessment, places: PlaceBuckets(assessment.configuration, locator: locator, vantage: vantage))
    }

    /// The decision for one client address: located with `locator` from `vantage`, in its lane,
    /// answering `family` (`nil`: addresses of both families). What every answer made for a single
    /// client (DNS outside the fast path, the redirector's JSON answer, explain) is.
    public func decide(_ service: Service, for client: IPAddress, family: AddressFamily? = nil) -> Decision {
        Steering.decide(service, for: locator.locate(client, vantage: vantage), in: assessment, family: family,
                        selector: ClientLanes.selector(for: client))
    }
}
