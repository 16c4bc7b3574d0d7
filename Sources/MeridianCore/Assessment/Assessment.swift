/// Every site's status at one moment, from one vantage point: the immutable snapshot that steering
/// decisions read.
public struct Assessment: Sendable {
    public var configuration: Configuration
    /// Sites in the configuration's region order.
    public var sites: [SiteStatus]
    public var consensus: ConsensusView
    public var overrides: OverrideSet
    /// The answering director's region, `nil` offline.
    public var vantage: RegionName?
    public var at: Timestamp

    /// When this assessment changes by itself, with no new observation or override: an observation
    /// goes stale, an override expires, a drain's grace period ends.
    public var nextChange: Timestamp? {
        [consensus.freshUntil, overrides.nextChange].compactMap { $0 }.min()
    }

    /// The status of the site `name`.
    public func site(_ name: RegionName) -> SiteStatus? {
        sites.first { $0.region.name == name }
    }

    /// Assesses every site from observations and overrides, as seen by the director `vantage`
    /// (`nil` offline) exchanging observations with `peers`. Pure: the same inputs give the same
    /// assessment.
    public static func make(_ configuration: Configuration, observations: [Observation], overrides: [Override],
                            vantage: DirectorName?, peers: [DirectorName] = [], now: Timestamp) -> Assessment {
        let consensus = Consensus.evaluate(configuration, observations: observations, vantage: vantage, peers: peers,
                                           now: now)
        let regionOf = configuration.regionOfDirector
        let overrideSet = OverrideSet(overrides, at: now, drainGrace: configuration.drainGrace)
        let sites = configuration.regions.map { region in
            assessSite(region, consensus: consensus, overrides: overrideSet, regionOf: regionOf)
        }
        return Assessment(configuration: configuration, sites: sites, consensus: consensus, overrides: overrideSet,
                          vantage: vantage.flatMap { regionOf[$0] }, at: now)
    }

    private static func assessSite(_ region: Region, consensus: ConsensusView, overrides: OverrideSet,
                                   regionOf: [DirectorName: RegionName]) -> SiteStatus {
        let gateways = region.gateways.map { gatewayStatus($0, consensus: consensus.gateways[$0.name], overrides: overrides) }
        let considered = gateways.filter { $0.state != .drained }
        let serving = considered.filter { $0.state.isServing }
        let fraction = considered.isEmpty ? 0 : Double(serving.count) / Double(considered.count)
        let latency = median(serving.compactMap { $0.consensus?.latency })
        var byObserver: [RegionName: [Duration]] = [:]
        for status in serving {
            for observation in status.consensus?.observations ?? [] {
                if let latency = observation.latency, let observer = regionOf[observation.observer] {
                    byObserver[observer, default: []].append(latency)
                }
            }
        }
        let override = overrides.override(for: .region(region.name))
        let served = gatewaysToServe(gateways, forcedUp: override?.action == .up)
        let healthText = "\(serving.count) of \(considered.count) gateway\(considered.count == 1 ? "" : "s") healthy"
        let availability: SiteAvailability
        let reason: String
        if let override {
            let by = "\(override.author): \(override.reason)"
            switch override.action {
            case .down: (availability, reason) = (.unavailable, "forced down by \(by)")
            case .drain where served.isEmpty: (availability, reason) = (.unavailable, "drained by \(by), and no gateway is healthy")
            case .drain: (availability, reason) = (.drained, "drained by \(by)")
            case .up where served.isEmpty: (availability, reason) = (.unavailable, "forced up by \(by), but every gateway is overridden")
            case .up: (availability, reason) = (.available, "forced up by \(by) (\(healthText))")
            }
        } else if considered.isEmpty {
            (availability, reason) = served.isEmpty
                ? (.unavailable, "every gateway is drained and none is healthy") : (.drained, "every gateway is drained")
        } else if serving.isEmpty {
            (availability, reason) = (.unavailable, "no healthy gateway (\(healthText))")
        } else if fraction < region.minHealthy {
            (availability, reason) = (.unavailable, "\(healthText), below min-healthy \(region.minHealthy.percentage)")
        } else {
            (availability, reason) = (.available, healthText)
        }
        let referenceSeconds = SiteStatus.latencyReference.seconds
        let latencyFactor = latency.map { referenceSeconds / (referenceSeconds + $0.seconds) } ?? 1
        let scoredFraction = override?.action == .up ? 1 : fraction
        let score = availability == .available ? region.weight * scoredFraction * latencyFactor : 0
        return SiteStatus(region: region, gateways: gateways, override: override, availability: availability,
                          healthyFraction: fraction, healthyCount: serving.count, latency: latency,
                          load: reportedLoad(region, serving: serving),
                          latencyByObserver: byObserver.compactMapValues(median), score: score, reason: reason,
                          servingGateways: served)
    }

    /// See `SiteStatus.load`: the serving gateways' reported loads in the unit of `capacity` (a
    /// utilization counts a gateway's even share of the capacity), scaled up from those that
    /// reported to all that serve; `nil` when none reported.
    private static func reportedLoad(_ region: Region, serving: [GatewayStatus]) -> Double? {
        let reading = serving.filter { $0.gateway.probe.load != nil }
        var total = 0.0
        var reported = 0
        for status in reading {
            guard let load = status.consensus?.load, let unit = status.gateway.probe.load?.unit else { continue }
            switch unit {
            case .rate: total += load
            case .utilization:
                guard let capacity = region.capacity, !region.gateways.isEmpty else { continue }
                total += load * capacity / Double(region.gateways.count)
            }
            reported += 1
        }
        guard reported > 0 else { return nil }
        return total * Double(reading.count) / Double(reported)
    }

    /// See `SiteStatus.servingGateways`.
    private static func gatewaysToServe(_ gateways: [GatewayStatus], forcedUp: Bool) -> [Gateway] {
        let serving = gateways.filter { $0.state.isServing }
        if !serving.isEmpty { return serving.map(\.gateway) }
        let drainedButHealthy = gateways.filter { $0.state == .drained && $0.consensus?.verdict != .down }
        if !drainedButHealthy.isEmpty { return drainedButHealthy.map(\.gateway) }
        return forcedUp ? gateways.filter { $0.override == nil }.map(\.gateway) : []
    }

    private static func gatewayStatus(_ gateway: Gateway, consensus: GatewayConsensus?, overrides: OverrideSet) -> GatewayStatus {
        if let override = overrides.override(for: .gateway(gateway.name)) {
            let state: GatewayState = switch override.action {
            case .down: .down
            case .drain: .drained
            case .up: .up
            }
            return GatewayStatus(gateway: gateway, state: state, consensus: consensus, override: override,
                                 reason: "\(override.action.rawValue) by \(override.author): \(override.reason)")
        }
        let state: GatewayState = switch consensus?.verdict ?? .unknown {
        case .up: .up
        case .down: .down
        case .unknown: .unconfirmed
        }
        return GatewayStatus(gateway: gateway, state: state, consensus: consensus, override: nil,
                             reason: consensus?.reason ?? "no observation")
    }
}

func median(_ values: [Duration]) -> Duration? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

