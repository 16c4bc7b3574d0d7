import Logging
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import MeridianDNS

/// One running director: its name, the region it speaks for, its configuration, its probes and health
/// board, and the views the API serves (status, metrics). Its inputs (own probes, peers' reports,
/// overrides, the configuration) make one steering snapshot, installed for the DNS and redirect
/// listeners and read by the views. Its long-lived parts (`scheduler`, and the listeners, exchange
/// and refreshers built around it) are run by a `DirectorService`, which `meridian serve`,
/// `meridian demo`, the tests and the benchmarks all use.
public final class Director: Sendable {
    /// This director's name: its identity towards its peers (unique across all regions).
    public let name: DirectorName
    /// The region this director belongs to and steers from.
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
    /// The zone's keys and signer (`nil`: this director was given no keys).
    public let signing: ZoneSigning?
    /// What the redirect listener answers with.
    public let redirects: RedirectAnswering
    /// The certificates its HTTPS listeners serve, read again on SIGHUP (`reload`).
    public let certificates = DirectorCertificates()
    /// The GeoIP database file last read and its reloads.
    let geoIP = GeoIPKeeper()
    /// The exchange with the other directors (of its own region and the others); `nil` when no key was given (the director
    /// then decides on its own observations alone).
    public let peering: Peering?
    /// Operators' overrides, replicated between directors (last writer wins).
    let overrideKeeper: OverrideKeeper
    /// Writes observations and replay marks to the state folder, if there is one.
    let stateSaver: StateSaver?
    /// The state files moved aside at start (unreadable, or holding impossible times).
    let stateProblems: [StateStore.Problem]
    let warmUp: WarmUp
    /// Whether the steering snapshot is rebuilt as the inputs change (see `init`).
    let steers: Bool
    /// What happened: verdicts, overrides, peers, configuration (`/v1/events`).
    public let journal: EventJournal
    /// The configuration releases: kept, made, followed (`Director+Releases`).
    let releases: ConfigurationReleases
    let ownChangeHandlers = NIOLockedValueBox<[@Sendable () -> Void]>([])
    /// What the probe share was last worked out from (`updateProbeShare`).
    let shareInputs = NIOLockedValueBox<(mates: Set<DirectorName>, loadedAt: Timestamp)?>(nil)
    /// What the installed snapshot was built from; held for the whole of a refresh.
    let refreshed = NIOLockedValueBox(Refreshed())
    /// Whether a refresh is being built and another was asked for meanwhile (`refreshSnapshot`).
    let refreshQueue = NIOLockedValueBox(RefreshQueue())

    /// Why a director cannot start.
    public enum StartError: Error, CustomStringConvertible {
        case unknownRegion(String, known: [RegionName])
        case unknownDirector(String, region: RegionName, known: [DirectorName])
        /// The region has several directors and none was named.
        case directorNotNamed(RegionName, [DirectorName])
        /// The zone is to be signed and cannot be (no keys, none active).
        case dnssec(String)

        public var description: String {
            switch self {
            case .unknownRegion(let name, let known):
                "unknown region '\(name)' (regions: \(known.map(\.rawValue).joined(separator: ", ")))"
            case .unknownDirector(let name, let region, let known):
                "region \(region) has no director '\(name)' (its directors: \(known.map(\.rawValue).joined(separator: ", ")))"
            case .directorNotNamed(let region, let known):
                "region \(region) has \(known.count) directors (\(known.map(\.rawValue).joined(separator: ", "))): name the one to run (--director)"
            case .dnssec(let reason):
                reason
            }
        }
    }

    /// The director `director` of `region` (`nil`: the region's only director) under `configuration`.
    public static func endpoints(in configuration: Configuration, region: String,
                                 director: String?) throws(StartError) -> (region: Region, endpoints: DirectorEndpoints) {
        guard let regionName = RegionName(region), let found = configuration.region(regionName) else {
            throw .unknownRegion(region, known: configuration.regions.map(\.name))
        }
        guard let director else {
            guard found.directors.count == 1 else { throw .directorNotNamed(regionName, found.directors.map(\.name)) }
            return (found, found.directors[0])
        }
        guard let endpoints = found.directors.first(where: { $0.name.rawValue == director }) else {
            throw .unknownDirector(director, region: regionName, known: found.directors.map(\.name))
        }
        return (found, endpoints)
    }

    /// Creates the director `director` of `region` (`nil`: the region's only one). `source` is the
    /// folder the configuration came from, which `reload()` reads again; with `credentials`, it
    /// peers with every other director. With `steers` false, the answers stay those of the start
    /// (the fleet benchmark, where twenty directors' exchange shares one machine, does without them).
    /// `signing` holds the zone's DNSSEC keys, which a configuration with `dnssec:` needs.
    public init(configuration: Configuration, region: String, director: String? = nil, source: String?, logger: Logger,
                credentials: PeerCredentials? = nil, state: StateStore? = nil, signing: ZoneSigning? = nil, steers: Bool = true,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws(StartError) {
        let (home, endpoints) = try Self.endpoints(in: configuration, region: region, director: director)
        let name = endpoints.name
        let releases = ConfigurationReleases(store: ReleaseStore(stateDirectory: state?.directory), credentials: credentials,
                                             folderFingerprint: source == nil ? nil : configuration.fingerprint)
        // A release installed since the folder was written wins over the folder.
        let (configuration, release) = releases.starting(configuration, director: name, region: home.name)
        self.releases = releases
        var logger = logger
        logger[metadataKey: "director"] = "\(name)"
        self.name = name
        self.region = home.name
        self.logger = logger
        self.startedAt = .now
        self.steers = steers
        self.board = HealthBoard(configuration)
        self.metrics = DirectorMetrics()
        let loaded = LoadedConfiguration(configuration: configuration, loadedAt: .now, source: source, release: release)
        self.loaded = NIOLockedValueBox(loaded)
        geoIP.adopted(loaded)
        self.scheduler = ProbeScheduler(configuration: configuration, board: board, group: group, logger: logger)
        self.stateSaver = state.map { StateSaver(store: $0, logger: logger) }
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
        let assessment = Self.assessment(of: loaded, observations: warmUp.observations(own: [], configuration: configuration, at: now),
                                         peers: peering == nil ? [] : Self.peers(of: configuration, except: name),
                                         overrides: overrideKeeper.inForce(at: now), director: name, now: now)
        let snapshot = Self.snapshot(of: loaded, assessment: assessment, director: name, ramps: FailbackRamps())
        self.signing = signing
        let signer: ZoneSigner?
        do {
            signer = try Self.zoneSigner(for: configuration, signing: signing)
        } catch {
            throw .dnssec(error.description)
        }
        self.answering = DNSAnswering(responder: Self.responder(for: loaded, director: name, signer: signer), snapshot: snapshot)
        self.redirects = RedirectAnswering(snapshot: snapshot)
        metrics.registerDecisions(of: configuration)
        scheduler.onVerdictChange { [weak self] gateway, change in self?.verdictChanged(gateway.name, change) }
    }

    /// Records `outcome` as if a probe of `gateway` had had it: what a director that does not probe
    /// (`DirectorService.Options.probes` false) is given instead, by the fleet benchmark's synthetic
    /// observation source. A verdict it changes reaches the answers and the peers as a probe's does.
    public func record(_ outcome: ProbeOutcome, for gateway: GatewayName) {
        guard let (_, change) = board.record(outcome, for: gateway), let change else { return }
        verdictChanged(gateway, change)
    }

    private func verdictChanged(_ gateway: GatewayName, _ change: GatewayHealth.Change) {
        peering?.hub.verdictChanged(gateway)
        journal.record(.verdict, gateway.rawValue, "\(change.from.rawValue) → \(change.to.rawValue): \(change.reason)", at: change.at)
        refreshSnapshot()
        ownChanged()
    }

    /// The configuration in force.
    public var configuration: Configuration { loaded.withLockedValue { $0.configuration } }
}
