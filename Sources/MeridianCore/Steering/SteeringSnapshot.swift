/// What answering needs to steer: the sites as the director sees them, how to locate clients, and
/// every prebuildable decision (`grid`). Immutable; the director replaces it whenever a decision
/// input changes.
public struct SteeringSnapshot: Sendable {
    public let assessment: Assessment
    public let locator: ClientLocator
    /// The answering director's region (the fallback location of an unmatched client).
    public let vantage: Region?
    /// The sites failing back, and how far each is.
    public let ramps: FailbackRamps
    /// When each gateway last changed state, as this director saw it.
    public let changes: GatewayChanges
    /// Each service's answer TTL now.
    public let ttls: [ServiceName: AnswerTTL]
    /// Every service's load plan: who a full site sheds, who a failing-back site has back.
    public let plan: LoadPlan
    /// The decisions for every service, place, lane and family, made once per snapshot.
    public let grid: DecisionGrid

    /// The demands the sites' reported loads stand for (`LoadController`), as the plan took them.
    public let observed: ObservedDemands

    /// `ramps`: the sites failing back, `changes`: when gateways changed state, and `observed`: the
    /// demands reported loads stand for (all as updated to `assessment`).
    public init(assessment: Assessment, locator: ClientLocator, vantage: Region?, ramps: FailbackRamps = FailbackRamps(),
                changes: GatewayChanges = GatewayChanges(), observed: ObservedDemands = [:]) {
        self.assessment = assessment
        self.locator = locator
        self.vantage = vantage
        self.ramps = ramps
        self.changes = changes
        self.observed = observed
        var ttls: [ServiceName: AnswerTTL] = [:]
        for service in assessment.configuration.services {
            ttls[service.name] = AnswerTTL.judge(service, in: assessment, ramps: ramps, changes: changes)
        }
        self.ttls = ttls
        let places = PlaceBuckets(assessment.configuration, locator: locator, vantage: vantage)
        plan = LoadPlan(assessment, places: places, failback: ramps.shares, observed: observed)
        grid = DecisionGrid(assessment, places: places, plan: plan, ttls: ttls)
    }

    /// When the answers change by themselves: the assessment's `nextChange`, a ramp's next step, or
    /// a gateway's change settling (`AnswerTTL.settling`).
    public var nextChange: Timestamp? {
        let settling = assessment.configuration.services.compactMap { AnswerTTL.settles($0, in: assessment, changes: changes) }
        return ([assessment.nextChange, ramps.nextChange].compactMap { $0 } + settling).min()
    }

    /// The decision for one client address: located with `locator` from `vantage`, in its lane,
    /// answering `family` (`nil`: addresses of both families). What every answer made for a single
    /// client (DNS outside the fast path, the redirector's JSON answer, explain) is.
    public func decide(_ service: Service, for client: IPAddress, family: AddressFamily? = nil) -> Decision {
        Steering.decide(service, for: locator.locate(client, vantage: vantage), in: assessment,
                        plan: plan.plan(for: service.name), family: family, selector: ClientLanes.selector(for: client))
            .with(ttls[service.name] ?? AnswerTTL(ttl: service.ttl, doubt: nil))
    }
}
