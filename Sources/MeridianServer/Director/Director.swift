import Logging
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import MeridianDNS

/// One running director: the region it speaks for, its configuration, its probes and health
/// board, and the views the API serves (status, metrics). Long-lived parts are services
/// (`services`) run in one service group by `meridian serve` or `meridian demo`.
public final class Director: Sendable {
    public let region: RegionName
    public let board: HealthBoard
    public let logger: Logger
    /// The probes of every gateway; run it as a service.
    public let scheduler: ProbeScheduler
    let startedAt: Timestamp
    private let loaded: NIOLockedValueBox<LoadedConfiguration>
    private let metrics: DirectorMetrics

    /// What the DNS listeners answer with.
    public let answering: DNSAnswering
    /// What the redirect listener answers with.
    public let redirects: RedirectAnswering
    /// The exchange with the other regions' directors; `nil` when no peer secret was given (the
    /// director then decides on its own observations alone).
    public let peering: Peering?
    /// Operators' overrides, replicated between directors (last writer wins).
    private let overrideTable = NIOLockedValueBox(OverrideTable())

    /// The configuration in force, where it came from, and the last reload's failure.
    struct LoadedConfiguration {
        var configuration: Configuration
        var locator: ClientLocator
        var loadedAt: Timestamp
        var source: String?
        var lastReloadError: String?

        init(configuration: Configuration, loadedAt: Timestamp, source: String?) {
            self.configuration = configuration
            self.locator = ClientLocator(configuration)
            self.loadedAt = loadedAt
            self.source = source
        }
    }

    /// Why a director cannot start.
    public enum StartError: Error, CustomStringConvertible {
        case unknownRegion(String, known: [RegionName])

        public var description: String {
            switch self {
            case .unknownRegion(let name, let known):
                "unknown region '\(name)' (regions: \(known.map(\.rawValue).joined(separator: ", ")))"
            }
        }
    }

    /// Creates the director of `region`. `source` is the folder the configuration came from, which
    /// `reload()` reads again.
    public init(configuration: Configuration, region: String, source: String?, logger: Logger,
                peerSecret: PeerSecret? = nil,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(StartError) {
        guard let name = RegionName(region), configuration.region(name) != nil else {
            throw .unknownRegion(region, known: configuration.regions.map(\.name))
        }
        var logger = logger
        logger[metadataKey: "director"] = "\(name)"
        self.region = name
        self.logger = logger
        self.startedAt = .now
        self.board = HealthBoard(configuration)
        self.metrics = DirectorMetrics()
        let loaded = LoadedConfiguration(configuration: configuration, loadedAt: .now, source: source)
        self.loaded = NIOLockedValueBox(loaded)
        self.scheduler = ProbeScheduler(configuration: configuration, board: board, group: group, logger: logger)
        let peering = peerSecret.map(Peering.init)
        self.peering = peering
        let snapshot = Self.snapshot(of: loaded, board: board, peering: peering, overrides: [], region: name, now: .now)
        self.answering = DNSAnswering(responder: Self.responder(for: loaded, region: name), snapshot: snapshot)
        self.redirects = RedirectAnswering(snapshot: snapshot)
        scheduler.onVerdictChange { [weak self] _, _ in self?.refreshSnapshot() }
    }

    /// The configuration in force.
    public var configuration: Configuration { loaded.withLockedValue { $0.configuration } }

    /// The sites as this director sees them now.
    public func assessment(at now: Timestamp = .now) -> Assessment {
        Self.assess(configuration, board: board, peering: peering, overrides: overrides(at: now), region: region, now: now)
    }

    /// The sites as seen from this director's own observations and its peers' (when it has peers).
    private static func assess(_ configuration: Configuration, board: HealthBoard, peering: Peering?, overrides: [Override],
                               region: RegionName, now: Timestamp) -> Assessment {
        let peers = peering == nil ? [] : configuration.regions.map(\.name).filter { $0 != region }
        let observations = board.observations(by: region) + (peering?.observations ?? [])
        return Assessment.make(configuration, observations: observations, overrides: overrides, vantage: region, peers: peers,
                               now: now)
    }

    private static func snapshot(of loaded: LoadedConfiguration, board: HealthBoard, peering: Peering?, overrides: [Override],
                                 region: RegionName, now: Timestamp) -> SteeringSnapshot {
        SteeringSnapshot(assessment: assess(loaded.configuration, board: board, peering: peering, overrides: overrides,
                                            region: region, now: now),
                         locator: loaded.locator, vantage: loaded.configuration.region(region))
    }

    private func snapshot(at now: Timestamp) -> SteeringSnapshot {
        Self.snapshot(of: loadedConfiguration, board: board, peering: peering, overrides: overrides(at: now), region: region,
                      now: now)
    }

    /// What this director tells its peers now.
    public func report(at now: Timestamp = .now) -> PeerReport {
        PeerReport(from: region, sentAt: now, fingerprint: configuration.fingerprint,
                   observations: board.observations(by: region), overrides: overrideTable.withLockedValue { $0.all })
    }

    /// Takes a peer's report (already authenticated); answers change at once when it changes a
    /// verdict or an override.
    func receive(_ report: PeerReport, at now: Timestamp = .now) {
        guard let peering, report.from != region else { return }
        let verdictsChanged = peering.accept(report, at: now)
        let overridesChanged = overrideTable.withLockedValue { $0.merge(report.overrides) }
        if verdictsChanged || overridesChanged { refreshSnapshot(at: now) }
    }

    // MARK: Overrides

    /// The overrides in force at `now`.
    public func overrides(at now: Timestamp = .now) -> [Override] {
        overrideTable.withLockedValue { table in
            table.prune(at: now)
            return table.inForce(at: now)
        }
    }

    /// Applies an operator's write (set or clear) and answers from it at once; peers get it with the
    /// next report. Returns whether it was newer than what was held.
    @discardableResult
    public func apply(_ write: OverrideTable.Write, at now: Timestamp = .now) -> Bool {
        let applied = overrideTable.withLockedValue { $0.apply(write) }
        if applied {
            logger.notice("override", metadata: [
                "target": "\(write.override.target)", "action": "\(write.cleared ? "clear" : write.override.action.rawValue)",
                "author": "\(write.override.author)", "reason": "\(write.override.reason)",
            ])
            refreshSnapshot(at: now)
        }
        return applied
    }

    private static func responder(for loaded: LoadedConfiguration, region: RegionName) -> DNSResponder {
        let serial = UInt32(truncatingIfNeeded: loaded.loadedAt.nanosecondsSinceEpoch / 1_000_000_000)
        return DNSResponder(zone: AuthoritativeZone(loaded.configuration, serial: serial),
                            options: .init(explainRecords: loaded.configuration.debugAnswers.explain,
                                           identityRecords: loaded.configuration.debugAnswers.identity,
                                           identity: region.rawValue, version: MeridianBuild.version))
    }

    /// Rebuilds the steering snapshot the DNS and redirect listeners answer from: on every verdict
    /// change, and every second (`SnapshotRefresher`) for latencies and staleness.
    public func refreshSnapshot(at now: Timestamp = .now) {
        let snapshot = snapshot(at: now)
        answering.update(snapshot: snapshot)
        redirects.update(snapshot: snapshot)
    }

    /// Decides for one client and counts the decision.
    public func decide(_ service: Service, for client: ClientLocation, in assessment: Assessment,
                       family: AddressFamily? = nil, selector: UInt64 = 0) -> Decision {
        let decision = Steering.decide(service, for: client, in: assessment, family: family, selector: selector)
        metrics.counted(decision)
        return decision
    }

    /// The decision for `client` as this director would make it now, explained: the same one the
    /// DNS debug answer and the redirector's JSON answer give.
    public func explain(client: IPAddress, service: Service, at now: Timestamp = .now) -> DecisionReport {
        let snapshot = snapshot(at: now)
        let location = snapshot.locator.locate(client, vantage: snapshot.vantage)
        let decision = Steering.decide(service, for: location, in: snapshot.assessment,
                                       selector: ClientLanes.selector(for: client))
        return DecisionReport(decision, address: client, at: decision.at.iso8601)
    }

    // MARK: Reload

    /// The outcome of a reload.
    public enum ReloadResult: Sendable {
        case reloaded(fingerprint: String)
        case unchanged
        case refused(String)
    }

    /// Reads the configuration folder again. A valid configuration that still has this director's
    /// region replaces the running one (gateways whose probes did not change keep their health); an
    /// invalid one is refused, and the running one stays.
    @discardableResult
    public func reload() -> ReloadResult {
        guard let source = loaded.withLockedValue({ $0.source }) else { return .refused("no configuration folder to reload") }
        let result: ReloadResult
        do {
            result = adopt(try ConfigurationLoader.load(directory: source))
        } catch {
            result = .refused(error.problems.map(\.description).joined(separator: "; "))
        }
        switch result {
        case .reloaded(let fingerprint):
            logger.notice("configuration reloaded", metadata: ["fingerprint": "\(fingerprint)"])
        case .unchanged:
            logger.info("configuration unchanged")
        case .refused(let reason):
            logger.error("configuration reload refused; keeping the running one", metadata: ["reason": "\(reason)"])
            loaded.withLockedValue { $0.lastReloadError = reason }
        }
        return result
    }

    /// Replaces the running configuration with `next`, if it still names this director's region.
    public func adopt(_ next: Configuration) -> ReloadResult {
        guard let mine = next.region(region) else {
            return .refused("the new configuration has no region '\(region)'")
        }
        let previous = configuration
        guard next.fingerprint != previous.fingerprint || next.fingerprint.isEmpty else { return .unchanged }
        if mine.director != previous.region(region)?.director {
            logger.warning("listen addresses changed; they take effect when the director restarts")
        }
        scheduler.adopt(next)
        let adopted = loaded.withLockedValue { loaded in
            loaded = LoadedConfiguration(configuration: next, loadedAt: .now, source: loaded.source)
            return loaded
        }
        answering.update(responder: Self.responder(for: adopted, region: region))
        refreshSnapshot()
        return .reloaded(fingerprint: next.fingerprint)
    }

    // MARK: Views

    var loadedConfiguration: LoadedConfiguration { loaded.withLockedValue { $0 } }

    /// The Prometheus text exposition, with the region and gateway gauges brought up to date.
    public func metricsText(at now: Timestamp = .now) -> String {
        metrics.exposition(assessment(at: now), statistics: board.statistics) + answering.statistics.exposition()
            + redirects.statistics.exposition()
    }
}
