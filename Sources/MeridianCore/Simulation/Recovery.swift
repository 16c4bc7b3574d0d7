/// The offline timeline behind `meridian simulate --recover REGION`: the region up, then down
/// (every gateway of it down for every director), then back at second 0; the same `FailbackRamps` the
/// directors run steps it through each service's `failback`, and each moment's `LoadPlan` gives
/// every site's load.
extension Simulation {
    public static func recover(_ configuration: Configuration, region: RegionName) -> RecoveryReport {
        let start = Timestamp(nanosecondsSinceEpoch: 0)
        let places = PlaceBuckets(configuration, locator: ClientLocator(configuration), vantage: nil)
        func assess(down: Bool, at moment: Timestamp) -> Assessment {
            Assessment.make(configuration, observations: observations(configuration, failed: down ? [region] : [], at: moment),
                            overrides: [], vantage: nil, now: moment)
        }
        var ramps = FailbackRamps()
        // Seen available first, as a director that was running when the region failed saw it.
        _ = ramps.update(assess(down: false, at: start - .seconds(2)), now: start - .seconds(2))
        let down = assess(down: true, at: start - .seconds(1))
        _ = ramps.update(down, now: down.at)
        var moments: [(seconds: Double?, events: [FailbackEvent], plan: LoadPlan, ramps: FailbackRamps)] =
            [(nil, [], LoadPlan(down, places: places), ramps)]
        var now = start
        // Each update takes at most one step per ramp; a ramp has at most as many steps as its schedule.
        let bound = configuration.services.map(\.failback.steps.count).max() ?? 1
        for _ in 0...bound {
            let assessment = assess(down: false, at: now)
            let events = ramps.update(assessment, now: now)
            moments.append(((now - start).seconds, events, LoadPlan(assessment, places: places, failback: ramps.shares), ramps))
            guard let next = ramps.nextChange else { break }
            now = next
        }
        let services = configuration.services.filter { $0.regions.contains(region) }.map { service in
            ServiceRecovery(
                service: service.name.rawValue, fqdn: service.fqdn.text,
                steps: service.failback.steps, holdSeconds: service.failback.hold.seconds,
                timeline: moments.compactMap { moment in
                    let events = moment.events.filter { $0.service == service.name }
                    guard moment.seconds == nil || !events.isEmpty || moment.seconds == 0 else { return nil }
                    let plan = moment.plan.plan(for: service.name)
                    let share = moment.seconds == nil ? 0 : moment.ramps.ramp(service.name, region)?.share ?? 1
                    let event = moment.seconds == nil ? "\(region) is down"
                        : events.isEmpty ? "\(service.name): \(region) has all its clients back at once (failback off)"
                        : events.map(\.text).joined(separator: "; ")
                    return RecoveryMoment(
                        atSeconds: moment.seconds, share: share, event: event,
                        sites: service.regions.compactMap { configuration.region($0) }.map { site in
                            let planned = plan?.site(site.name)
                            let load = planned?.load ?? 0
                            return RecoverySite(region: site.name.rawValue, load: load,
                                                utilisation: site.capacity.flatMap { $0 > 0 ? load / $0 : nil },
                                                shed: planned?.shed ?? 0)
                        })
                })
        }
        return RecoveryReport(recoveredRegion: region.rawValue, services: services)
    }
}

/// The result of `meridian simulate --recover`: for each service of the region, its way back step
/// by step, with every site's load at each step. Its JSON form is stable (see docs/simulate.md).
public struct RecoveryReport: Codable, Sendable, Equatable {
    public var recoveredRegion: String
    public var services: [ServiceRecovery]
}

/// One service's timeline while the region fails back.
public struct ServiceRecovery: Codable, Sendable, Equatable {
    public var service: String
    public var fqdn: String
    /// The service's `failback`: the shares of its clients a site has back, each held `holdSeconds`.
    public var steps: [Double]
    public var holdSeconds: Double
    /// While the region is down (`atSeconds` absent), then from its return at second 0.
    public var timeline: [RecoveryMoment]
}

/// One moment of a service's timeline.
public struct RecoveryMoment: Codable, Sendable, Equatable {
    /// Seconds since the region came back; absent for the moment before, while it is down.
    public var atSeconds: Double?
    /// The share of its clients the region has back.
    public var share: Double
    /// What happened then, in words.
    public var event: String
    public var sites: [RecoverySite]
}

/// One site's load at one moment.
public struct RecoverySite: Codable, Sendable, Equatable {
    public var region: String
    public var load: Double
    public var utilisation: Double?
    /// The share of the clients the policy sends it that it sheds.
    public var shed: Double
}
