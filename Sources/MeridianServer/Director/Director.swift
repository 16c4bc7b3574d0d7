import Logging
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import MeridianDNS

/// One running director: the region it speaks for, its configuration, its probes and health
/// board, and the views the API serves (status, metrics). Its long-lived parts (`scheduler`, and
/// the listeners, exchange and refreshers built around it) run as services in one service group,
/// started by `meridian serve`, `meridian demo`, the tests and the benchmarks.
public final class Director: Sendable {
    public let region: RegionName
    public let board: HealthBoard
    public let logger: Logger
    /// The probes of every gateway; run it as a service.
    public let scheduler: ProbeScheduler
    let startedAt: Timestamp
    let loaded: NIOLockedValueBox<LoadedConfiguration>
    let metrics: DirectorMetrics

    /// What the DNS listeners answer with.
    public let answering: DNSAnswering
    /// What the redirect listener answers with.
    public let redirects: RedirectAnswering
    /// The exchange with the other regions' directors; `nil` when no key was given (the director
    /// then decides on its own observations alone).
    public let peering: Peering?
    /// Operators' overrides, replicated between directors (last writer wins).
    let overrideTable = NIOLockedValueBox(OverrideTable())
    /// Where overrides and observations are kept across restarts, if anywhere.
    let state: StateStore?
    /// The state files moved aside at start (unreadable, or holding impossible times).
    let stateProblems: [StateStore.Problem]
    /// The observations the state folder held at start: used, as if made now, for gateways not yet
    /// probed while the director warms up, so that its first answers are not guesses.
    private let restored: [Observation]
    let savedVerdicts = NIOLockedValueBox<[GatewayName: Verdict]>([:])
    /// What happened: verdicts, overrides, peers, configuration (`/v1/events`).
    public let journal: EventJournal
    private let peerStates = NIOLockedValueBox<[RegionName: PeerState]>([:])
    private let ownChangeHandlers = NIOLockedValueBox<[@Sendable () -> Void]>([])
    /// The health board's `decisionInputChanges` when the installed snapshot was built; held for the
    /// whole of a refresh.
    private let refreshed = NIOLockedValueBox<UInt64>(0)
    let savingPeerMarks = NIOLock()

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
    /// `reload()` reads again; with `credentials`, it peers with the other regions' directors.
    public init(configuration: Configuration, region: String, source: String?, logger: Logger,
                credentials: PeerCredentials? = nil, state: StateStore? = nil,
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
        self.state = state
        self.journal = EventJournal(directory: state?.directory)
        let stored = state?.load()
        let peering = credentials.map { Peering(credentials: $0, marks: stored?.contents.peerMarks ?? [:]) }
        self.peering = peering
        stateProblems = stored?.problems ?? []
        for problem in stateProblems {
            logger.warning("state file moved aside", metadata: ["problem": "\(problem)"])
            journal.record(.state, problem.file, problem.description)
        }
        restored = (stored?.contents.observations ?? []).filter { $0.observer == name }
        overrideTable.withLockedValue { _ = $0.merge(stored?.contents.overrides ?? []) }
        let startOverrides = overrideTable.withLockedValue { $0.inForce(at: .now) }
        let startObservations = Self.warmUp(restored, own: [], at: .now)
        let startPeers = peering == nil ? [] : Self.peers(of: configuration, except: name)
        let snapshot = Self.snapshot(of: loaded, observations: startObservations, peers: startPeers, overrides: startOverrides,
                                     region: name, now: .now)
        self.answering = DNSAnswering(responder: Self.responder(for: loaded, region: name), snapshot: snapshot)
        self.redirects = RedirectAnswering(snapshot: snapshot)
        metrics.registerDecisions(of: configuration)
        scheduler.onVerdictChange { [weak self] gateway, change in
            self?.journal.record(.verdict, gateway.name.rawValue, "\(change.from.rawValue) → \(change.to.rawValue): \(change.reason)",
                                 at: change.at)
            self?.refreshSnapshot()
            self?.ownChanged()
        }
    }

    /// The configuration in force.
    public var configuration: Configuration { loaded.withLockedValue { $0.configuration } }

    /// The sites as the DNS and redirect listeners answer from them now: the installed snapshot's.
    public func assessment() -> Assessment {
        answering.current.snapshot.assessment
    }

    /// Every observation the decision uses now: this director's own, the restored ones while it warms
    /// up, and its peers'.
    private func observations(at now: Timestamp) -> [Observation] {
        let own = board.observations(by: region)
        let restoring = now - startedAt < warmUpWindow ? Self.warmUp(restored, own: own, at: now) : []
        return own + restoring + (peering?.observations ?? [])
    }

    /// Restored observations for the gateways not in `own`, as if made at `now`.
    private static func warmUp(_ restored: [Observation], own: [Observation], at now: Timestamp) -> [Observation] {
        let probed = Set(own.map(\.gateway))
        return restored.filter { !probed.contains($0.gateway) }.map { observation in
            var current = observation
            current.at = now
            return current
        }
    }

    /// How long restored observations stand in for probes not yet made.
    private var warmUpWindow: Duration {
        let configuration = configuration
        return configuration.gateways.map { configuration.freshness(of: $0) }.max() ?? .seconds(5)
    }

    private func peers(of configuration: Configuration) -> [RegionName] {
        peering == nil ? [] : Self.peers(of: configuration, except: region)
    }

    private static func peers(of configuration: Configuration, except region: RegionName) -> [RegionName] {
        configuration.regions.map(\.name).filter { $0 != region }
    }

    private static func snapshot(of loaded: LoadedConfiguration, observations: [Observation], peers: [RegionName],
                                 overrides: [Override], region: RegionName, now: Timestamp) -> SteeringSnapshot {
        let assessment = Assessment.make(loaded.configuration, observations: observations, overrides: overrides, vantage: region,
                                         peers: peers, now: now)
        return SteeringSnapshot(assessment: assessment, locator: loaded.locator, vantage: loaded.configuration.region(region))
    }

    private func snapshot(at now: Timestamp) -> SteeringSnapshot {
        let loaded = loadedConfiguration
        return Self.snapshot(of: loaded, observations: observations(at: now), peers: peers(of: loaded.configuration),
                             overrides: overrides(at: now), region: region, now: now)
    }

    /// What this director tells its peers now.
    public func report(at now: Timestamp = .now) -> PeerReport {
        PeerReport(from: region, sentAt: now, fingerprint: configuration.fingerprint,
                   observations: board.observations(by: region), overrides: overrideTable.withLockedValue { $0.all })
    }

    /// Takes the report `sender`'s signature was checked on, if it keeps the rules of
    /// `PeerReportCheck`; otherwise nothing of it is used or saved, the refusal is counted and
    /// logged, and returned. Answers change at once when the report changes a verdict or an override.
    func receive(_ report: PeerReport, from sender: RegionName, at now: Timestamp = .now) -> PeerReportRefusal? {
        guard let peering, sender != region else { return nil }
        let check = PeerReportCheck(configuration: configuration, maximumSkew: peering.authentication.maximumSkew)
        switch check.check(report, from: sender, at: now) {
        case .failure(let refusal):
            peering.refused(refusal.reason.rawValue, from: sender, detail: refusal.message, at: now, logger: logger)
            return refusal
        case .success(let taken):
            take(taken, peering: peering, at: now)
            return nil
        }
    }

    private func take(_ report: PeerReport, peering: Peering, at now: Timestamp) {
        let verdictsChanged = peering.accept(report, at: now)
        // The writes that were newer than what this director held (one lock for the whole report).
        let incoming = overrideTable.withLockedValue { table in report.overrides.filter { table.apply($0) } }
        for write in incoming { journalOverride(write, via: report.from) }
        let overridesChanged = !incoming.isEmpty
        if overridesChanged { saveOverrides() }
        if verdictsChanged || overridesChanged { refreshSnapshot() }
    }

    /// Calls `handler` whenever one of this director's own verdicts changes or an operator gives it
    /// an override: what its peers should hear about at once.
    public func onOwnChange(_ handler: @escaping @Sendable () -> Void) {
        ownChangeHandlers.withLockedValue { $0.append(handler) }
    }

    func ownChanged() {
        for handler in ownChangeHandlers.withLockedValue({ $0 }) { handler() }
    }

    /// Journals peers going stale and coming back (called with every snapshot refresh).
    private func journalPeerChanges(at now: Timestamp) {
        guard peering != nil else { return }
        let current = Dictionary(peerStates(configuration, now: now).map { ($0.peer.name, $0.state) }, uniquingKeysWith: { first, _ in first })
        let previous = peerStates.withLockedValue { states in
            defer { states = current }
            return states
        }
        for (peer, state) in current {
            guard let before = previous[peer], before != state else { continue }
            journal.record(.peer, peer.rawValue, state.journalMessage(after: before), at: now)
        }
    }

    static func responder(for loaded: LoadedConfiguration, region: RegionName) -> DNSResponder {
        let serial = UInt32(truncatingIfNeeded: loaded.loadedAt.nanosecondsSinceEpoch / 1_000_000_000)
        return DNSResponder(zone: AuthoritativeZone(loaded.configuration, serial: serial),
                            options: .init(explainRecords: loaded.configuration.debugAnswers.explain,
                                           explainOverUDP: loaded.configuration.debugAnswers.explainOverUDP,
                                           identityRecords: loaded.configuration.debugAnswers.identity,
                                           identity: region.rawValue, version: MeridianBuild.version))
    }

    /// Rebuilds the steering snapshot the DNS and redirect listeners answer from: on every verdict or
    /// override change, and from `SnapshotRefresher` every second (latencies) and at the moment the
    /// snapshot changes by itself (`nextSnapshotChange`).
    ///
    /// Refreshes are serialized: two made at once (a probe's verdict on one thread, a peer's report
    /// on another) must not let the one built from older inputs be installed last. A reload's new
    /// `responder` is installed with the first snapshot of its configuration, at once, so no query is
    /// answered from one configuration's zone and another's snapshot.
    public func refreshSnapshot(at now: Timestamp? = nil, installing responder: DNSResponder? = nil) {
        refreshed.withLockedValue { boardChanges in
            let now = now ?? .now
            boardChanges = board.decisionInputChanges
            let snapshot = snapshot(at: now)
            answering.update(responder: responder, snapshot: snapshot)
            redirects.update(snapshot: snapshot)
            journalPeerChanges(at: now)
        }
    }

    /// The installed snapshot, rebuilt first when it is behind the health board (a verdict the board
    /// shows came after it) or past its `nextChange`: what status, metrics and explain read, so they
    /// show what the listeners answer and never lag what the board shows.
    func currentSnapshot() -> SteeringSnapshot {
        let (builtFrom, snapshot) = refreshed.withLockedValue { ($0, answering.current.snapshot) }
        let now = Timestamp.now
        if builtFrom == board.decisionInputChanges, snapshot.assessment.nextChange.map({ now < $0 }) ?? true {
            return snapshot
        }
        refreshSnapshot()
        return answering.current.snapshot
    }

    /// When the answers change by themselves, with nothing new heard: the moment an observation they
    /// count goes stale, an override expires or a drain's grace period ends (`SnapshotRefresher`
    /// refreshes then).
    public var nextSnapshotChange: Timestamp? { answering.current.snapshot.assessment.nextChange }

    /// The configuration in force, where it came from, and the last reload's failure, read at once.
    var loadedConfiguration: LoadedConfiguration { loaded.withLockedValue { $0 } }
}
