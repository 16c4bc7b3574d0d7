/// One site's way back to one service's clients after it came back: the step of the service's
/// `Failback` it is at, and since when.
public struct FailbackRamp: Hashable, Sendable {
    public var service: ServiceName
    public var region: RegionName
    public var schedule: Failback
    /// The index in `schedule.steps` of the step the site is at.
    public var step: Int
    /// When the step began: its hold counts from here.
    public var since: Timestamp
    /// The site's serving gateways when the step began (or the most since): fewer means its probes
    /// failed again.
    var healthy: Int

    /// The share of its clients the site has back.
    public var share: Double { schedule.steps[step] }

    /// When the site may take its next step.
    public var nextStep: Timestamp { since + schedule.hold }
}

/// What happened to a failback ramp, for the journal.
public struct FailbackEvent: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        /// The site came back and has the first step's share of its clients.
        case started
        /// The site held its step and took the next one.
        case advanced
        /// The site's probes failed again, or its load passed its high watermark: one step back.
        case steppedBack
        /// The site is no longer available: the ramp starts again when it is back.
        case interrupted
        /// The site has all its clients back.
        case completed
        /// An operator ended the ramp (`ctl failback --now`).
        case skipped
    }

    public var service: ServiceName
    public var region: RegionName
    public var kind: Kind
    /// The share of its clients the site has after the event.
    public var share: Double
    public var reason: String

    /// The event in words: "api: istanbul has 10 % of its clients back (it came back: 2 of 2 gateways healthy)".
    public var text: String {
        let what = switch kind {
        case .started: "has \(share.percentage) of its clients back"
        case .advanced: "held its step, has \(share.percentage) of its clients back"
        case .steppedBack: "steps back to \(share.percentage) of its clients"
        case .interrupted: "stops failing back"
        case .completed: "has all its clients back"
        case .skipped: "has all its clients back at once"
        }
        return "\(service): \(region) \(what) (\(reason))"
    }
}

/// Every ramp of every site failing back, as one director keeps them: a pure state machine fed
/// each new assessment. A site starts a ramp when it turns available again (a verdict, a drill or an
/// override ending), for each of its services with a ramped `failback`; it takes the next step when
/// it has held one for the hold time; it steps back one step when it has fewer serving gateways than
/// when the step began or its load passed its high watermark; the ramp ends when the site has all
/// its clients back, or stops when the site is unavailable again (to start over when it is back).
/// Only the way back is slowed: a site that fails leaves at once.
///
/// Every director sees a site come back when its consensus does, so their ramps are in step to
/// within the exchange's propagation. A director that starts (or loads a configuration with a
/// region new to it) sees no comeback and starts no ramp: a site comes back only after this
/// director has seen it available, so a site its first looks see unavailable (a probe that timed
/// out before the peers' reports arrived) gets all its clients at once when it is available.
public struct FailbackRamps: Hashable, Sendable {
    /// The ramps in progress, by service then region.
    public private(set) var ramps: [FailbackRamp] = []
    /// A site as the last update saw it.
    private struct Seen: Hashable, Sendable {
        var available: Bool
        var healthy: Int
        /// Whether this director has seen the site available at all: one that was not yet (its
        /// probes and its peers' reports still arriving after a start) is starting, not coming back.
        var wasEverAvailable: Bool
    }

    private var seen: [RegionName: Seen] = [:]

    public init() {}

    /// The longest a ramp's step holds before its load can step it back: readings of the load the
    /// step brought take probes and the exchange to arrive.
    public static let loadSettling: Duration = .seconds(10)

    /// Ramps already in progress (tests and `simulate` start from them).
    init(ramps: [FailbackRamp]) {
        self.ramps = ramps
    }

    /// Each failing-back site's share of its clients, per service: what `LoadPlan` takes.
    public var shares: FailbackShares {
        var shares: FailbackShares = [:]
        for ramp in ramps { shares[ramp.service, default: [:]][ramp.region] = ramp.share }
        return shares
    }

    /// When a ramp may take its next step: an update is due then.
    public var nextChange: Timestamp? {
        ramps.map(\.nextStep).min()
    }

    /// The ramp of `region` for `service`, if it is failing back.
    public func ramp(_ service: ServiceName, _ region: RegionName) -> FailbackRamp? {
        ramps.first { $0.service == service && $0.region == region }
    }

    /// Moves every ramp on to `assessment`, made at `now`; `overloaded` names, per service, the
    /// sites whose load passed their high watermark. Returns what changed, for the journal.
    public mutating func update(_ assessment: Assessment, overloaded: [ServiceName: Set<RegionName>] = [:],
                                now: Timestamp) -> [FailbackEvent] {
        let configuration = assessment.configuration
        ramps = ramps.compactMap { ramp in
            guard let service = configuration.services.first(where: { $0.name == ramp.service }),
                  service.regions.contains(ramp.region), service.failback.isRamped else { return nil }
            var ramp = ramp
            ramp.step = min(ramp.step, service.failback.steps.count - 1)
            ramp.schedule = service.failback
            return ramp
        }
        var events: [FailbackEvent] = []
        for site in assessment.sites {
            let region = site.region.name
            let available = site.availability == .available
            if let was = seen[region], !was.available, was.wasEverAvailable, available {
                events += start(region, services: configuration.services, healthy: site.healthyCount,
                                reason: "it came back: \(site.reason)", now: now)
            } else if !available {
                events += ramps.filter { $0.region == region }.map {
                    FailbackEvent(service: $0.service, region: region, kind: .interrupted, share: 0, reason: site.reason)
                }
                ramps.removeAll { $0.region == region }
            } else {
                events += move(region, healthy: site.healthyCount, reason: site.reason, overloaded: overloaded, now: now)
            }
            seen[region] = Seen(available: available, healthy: site.healthyCount,
                                wasEverAvailable: available || seen[region]?.wasEverAvailable == true)
        }
        return events
    }

    /// Ends every ramp of `region` at once: it has all its clients back (`ctl failback --now`).
    public mutating func finish(_ region: RegionName, by author: String) -> [FailbackEvent] {
        let ended = ramps.filter { $0.region == region }
        ramps.removeAll { $0.region == region }
        return ended.map {
            FailbackEvent(service: $0.service, region: region, kind: .skipped, share: 1, reason: "ended by \(author)")
        }
    }

    private mutating func start(_ region: RegionName, services: [Service], healthy: Int, reason: String,
                                now: Timestamp) -> [FailbackEvent] {
        ramps.removeAll { $0.region == region }
        let started = services.filter { $0.regions.contains(region) && $0.failback.isRamped }.map {
            FailbackRamp(service: $0.name, region: region, schedule: $0.failback, step: 0, since: now, healthy: healthy)
        }
        ramps = (ramps + started).sorted { ($0.service.rawValue, $0.region.rawValue) < ($1.service.rawValue, $1.region.rawValue) }
        return started.map { FailbackEvent(service: $0.service, region: region, kind: .started, share: $0.share, reason: reason) }
    }

    private mutating func move(_ region: RegionName, healthy: Int, reason: String,
                               overloaded: [ServiceName: Set<RegionName>], now: Timestamp) -> [FailbackEvent] {
        var events: [FailbackEvent] = []
        ramps = ramps.compactMap { ramp in
            guard ramp.region == region else { return ramp }
            var ramp = ramp
            // Load readings lag the answers: a step back for load waits until the step has held a while.
            let over = (overloaded[ramp.service]?.contains(region) ?? false)
                && now - ramp.since >= min(ramp.schedule.hold, Self.loadSettling)
            if healthy < ramp.healthy || over {
                ramp.step = max(0, ramp.step - 1)
                ramp.since = now
                ramp.healthy = healthy
                let why = over ? "its load passed its high watermark" : "its probes failed again: \(reason)"
                events.append(FailbackEvent(service: ramp.service, region: region, kind: .steppedBack, share: ramp.share, reason: why))
                return ramp
            }
            ramp.healthy = max(ramp.healthy, healthy)
            guard now >= ramp.nextStep else { return ramp }
            ramp.step += 1
            ramp.since = now
            let held = "held \(ramp.schedule.hold.shortDescription)"
            guard ramp.step < ramp.schedule.steps.count - 1 else {
                events.append(FailbackEvent(service: ramp.service, region: region, kind: .completed, share: 1, reason: held))
                return nil
            }
            events.append(FailbackEvent(service: ramp.service, region: region, kind: .advanced, share: ramp.share, reason: held))
            return ramp
        }
        return events
    }
}
