/// What answering needs to steer: the sites as the director sees them, how to locate clients, and
/// every prebuildable decision (`grid`). Immutable; the director replaces it whenever a decision
/// input changes.
public struct SteeringSnapshot: Sendable {
    public let assessment: Assessment
    public let locator: ClientLocator
    /// The answering director's region (the fallback location of an unmatched client).
    public let vantage: Region?
    /// Every service's load plan: who a full site sheds, who a failing-back site has back.
    public let plan: LoadPlan
    /// The decisions for every service, place, lane and family, made once per snapshot.
    public let grid: DecisionGrid

    /// `failback`: each failing-back site's share of its clients, per service (`FailbackRamp`).
    public init(assessment: Assessment, locator: ClientLocator, vantage: Region?, failback: FailbackShares = [:]) {
        self.assessment = assessment
        self.locator = locator
        self.vantage = vantage
        let places = PlaceBuckets(assessment.configuration, locator: locator, vantage: vantage)
        plan = LoadPlan(assessment, places: places, failback: failback)
        grid = DecisionGrid(assessment, places: places, plan: plan)
    }

    /// The decision for one client address: located with `locator` from `vantage`, in its lane,
    /// answering `family` (`nil`: addresses of both families). What every answer made for a single
    /// client (DNS outside the fast path, the redirector's JSON answer, explain) is.
    public func decide(_ service: Service, for client: IPAddress, family: AddressFamily? = nil) -> Decision {
        Steering.decide(service, for: locator.locate(client, vantage: vantage), in: assessment,
                        plan: plan.plan(for: service.name), family: family, selector: ClientLanes.selector(for: client))
    }
}
