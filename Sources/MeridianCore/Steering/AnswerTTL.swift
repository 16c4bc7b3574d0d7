/// The TTL a service's answers carry: its `ttl`, or its `ttl-min` while the health of one of its
/// sites is in doubt, so that resolvers come back sooner when a move is likely. In doubt (the
/// first that applies is the reason):
/// 1. one of its sites is failing back (`FailbackRamps`);
/// 2. a serving gateway failed its latest probe for some director (strikes towards `fall`);
/// 3. an available site is one gateway away from going under its `min-healthy`, having lost some;
/// 4. a gateway of its sites changed state less than `settling` ago.
///
/// The TTL is not a choice of site: directors may differ on it (their probes' strikes are their
/// own) without sending any client elsewhere.
public struct AnswerTTL: Hashable, Sendable {
    public var ttl: UInt32
    /// Why the TTL is `ttl-min` (`nil` at `ttl`).
    public var doubt: String?

    /// How long a gateway's change of state keeps its services in doubt.
    public static let settling = Duration.seconds(300)

    /// The TTL of `service` in `assessment`, with `ramps` and `changes` as the director has them.
    public static func judge(_ service: Service, in assessment: Assessment, ramps: FailbackRamps,
                             changes: GatewayChanges) -> AnswerTTL {
        guard service.ttlMin < service.ttl, let doubt = doubt(service, in: assessment, ramps: ramps, changes: changes) else {
            return AnswerTTL(ttl: service.ttl, doubt: nil)
        }
        return AnswerTTL(ttl: service.ttlMin, doubt: doubt)
    }

    /// When the doubt of `service` ends by itself: the newest change of its gateways settles.
    public static func settles(_ service: Service, in assessment: Assessment, changes: GatewayChanges) -> Timestamp? {
        guard service.ttlMin < service.ttl else { return nil }
        let gateways = service.regions.compactMap { assessment.site($0) }.flatMap { $0.gateways.map(\.gateway) }
        return changes.latest(of: gateways).map { $0 + settling }.flatMap { $0 > assessment.at ? $0 : nil }
    }

    private static func doubt(_ service: Service, in assessment: Assessment, ramps: FailbackRamps,
                              changes: GatewayChanges) -> String? {
        let sites = service.regions.compactMap { assessment.site($0) }
        if let ramp = ramps.ramps.first(where: { $0.service == service.name }) {
            return "\(ramp.region) is failing back (\(ramp.share.percentage) of its clients back)"
        }
        for site in sites {
            for status in site.gateways where status.state.isServing {
                if let struck = status.consensus?.observations.first(where: { $0.verdict == .up && $0.consecutiveFailures > 0 }) {
                    return "\(status.gateway.name) failed its latest probe by \(struck.observer)"
                }
            }
        }
        for site in sites where site.availability == .available {
            let considered = site.gateways.filter { $0.state != .drained }.count
            guard considered > 0, site.healthyCount < considered else { continue }
            if Double(site.healthyCount - 1) / Double(considered) < site.region.minHealthy {
                return "\(site.region.name) is one gateway away from min-healthy \(site.region.minHealthy.percentage)"
            }
        }
        for site in sites {
            if let changed = changes.latest(of: site.gateways.map(\.gateway)), assessment.at - changed < settling {
                return "a gateway of \(site.region.name) changed state \((assessment.at - changed).shortDescription) ago"
            }
        }
        return nil
    }
}
