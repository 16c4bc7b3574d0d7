import Logging
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import MeridianDNS

/// One running director: the region it speaks for, its configuration, its probes and health
/// board, and the views the API serves (status, metrics). Its inputs (own probes, peers' reports,
/// overrides, the configuration) make one steering snapshot, installed for the DNS and redirect
/// listeners and read by the views. Its long-lived parts (`scheduler`, and the listeners, exchange
/// and refreshers built around it) run as services in one service group, started by
/// `meridian serve`, `meridian demo`, the tests and the benchmarks.
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
    let overrideKeeper: OverrideKeeper
    /// Where overrides and observations are kept across restarts, if anywhere.
    let state: StateStore?
    /// The state files moved aside at start (unreadable, or holding impossible times).
    let stateProblems: [StateStore.Problem]
    private let warmUp: WarmUp
    let savedVerdicts = NIOLockedValueBox<[GatewayName: Verdict]>([:])
    /// What happened: verdicts, overrides, peers, configuration (`/v1/events`).
    public let journal: EventJournal
    let ownChangeHandlers = NIOLockedValueBox<[@Sendable () -> Void]>([])
    /// What the installed snapshot was built from; held for the whole of a refresh.
    private let refreshed = NIOLockedValueBox(Refreshed())
    let savingPeerMarks = NIOLock()

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
        warmUp = WarmUp(restored: (stored?.contents.observations ?? []).filter { $0.observer == name }, startedAt: startedAt)
        overrideKeeper = OverrideKeeper(restored: stored?.contents.overrides ?? [], state: state, journal: journal, logger: logger)
        let now = Timestamp.now
        let snapshot = Self.snapshot(of: loaded, observations: warmUp.observations(own: [], configuration: configuration, at: now),
                                     peers: peering == nil ? [] : Self.peers(of: configuration, except: name),
                                     overrides: overrideKeeper.inForce(at: now), region: name, now: now)
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

    /// The steering snapshot as this director would build it at `now`, from all its inputs: its own
    /// observations (and the restored ones while it warms up), its peers', the overrides in force.
    private func snapshot(at now: Timestamp) -> SteeringSnapshot {
        let loaded = loadedConfiguration
        let own = board.observations(by: region)
        let observations = own + warmUp.observations(own: own, configuration: loaded.configuration, at: now)
            + (peering?.observations ?? [])
        return Self.snapshot(of: loaded, observations: observations, peers: peers(of: loaded.configuration),
                             overrides: overrides(at: now), region: region, now: now)
    }

    private static func snapshot(of loaded: LoadedConfiguration, observations: [Observation], peers: [RegionName],
                                 overrides: [Override], region: RegionName, now: Timestamp) -> SteeringSnapshot {
        let assessment = Assessment.make(loaded.configuration, observations: observations, overrides: overrides, vantage: region,
                                         peers: peers, now: now)
        return SteeringSnapshot(assessment: assessment, locator: loaded.locator, vantage: loaded.configuration.region(region))
    }

    private func peers(of configuration: Configuration) -> [RegionName] {
        peering == nil ? [] : Self.peers(of: configuration, except: region)
    }

    private static func peers(of configuration: Configuration, except region: RegionName) -> [RegionName] {
        configuration.regions.map(\.name).filter { $0 != region }
    }

    /// What a refresh read besides the snapshot's inputs.
    struct Refreshed {
        /// The health board's `decisionInputChanges` when the installed snapshot was built.
        var boardChanges: UInt64 = 0
        /// How this director heard each peer at the last refresh (journaled when it changes).
        var peerStates: [RegionName: PeerState] = [:]
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
        refreshed.withLockedValue { refreshed in
            let now = now ?? .now
            refreshed.boardChanges = board.decisionInputChanges
            let snapshot = snapshot(at: now)
            answering.update(responder: responder, snapshot: snapshot)
            redirects.update(snapshot: snapshot)
            journalPeerChanges(at: now, since: &refreshed.peerStates)
        }
    }

    /// The installed snapshot, rebuilt first when it is behind the health board (a verdict the board
    /// shows came after it) or past its `nextChange`: what status, metrics and explain read, so they
    /// show what the listeners answer and never lag what the board shows.
    func currentSnapshot() -> SteeringSnapshot {
        let (builtFrom, snapshot) = refreshed.withLockedValue { ($0.boardChanges, answering.current.snapshot) }
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
}
