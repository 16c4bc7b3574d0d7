import MeridianCore
import MeridianDNS

/// Inputs -> snapshot -> install: the steering snapshot built from everything the director knows,
/// installed at once for the DNS and redirect listeners, and read by the views.
extension Director {
    /// The sites as the DNS and redirect listeners answer from them now: the installed snapshot's.
    public func assessment() -> Assessment {
        answering.current.snapshot.assessment
    }

    /// The sites as this director would assess them at `now`, from all its inputs: its own
    /// observations (and the restored ones while it warms up), its peers', the overrides in force.
    private func assessment(at now: Timestamp) -> (LoadedConfiguration, Assessment) {
        let loaded = loadedConfiguration
        let own = board.observations(by: name)
        let observations = own + warmUp.observations(own: own, configuration: loaded.configuration, at: now)
            + (peering?.observations ?? [])
        return (loaded, Self.assessment(of: loaded, observations: observations, peers: peers(of: loaded.configuration),
                                        overrides: overrides(at: now), director: name, now: now))
    }

    static func assessment(of loaded: LoadedConfiguration, observations: [Observation], peers: [DirectorName],
                           overrides: [Override], director: DirectorName, now: Timestamp) -> Assessment {
        Assessment.make(loaded.configuration, observations: observations, overrides: overrides, vantage: director,
                        peers: peers, now: now)
    }

    /// The snapshot of `assessment` with the sites failing back as `ramps` has them, its answers'
    /// TTLs shortened while a gateway `changes` saw move is settling.
    static func snapshot(of loaded: LoadedConfiguration, assessment: Assessment, director: DirectorName,
                         ramps: FailbackRamps, changes: GatewayChanges = GatewayChanges(),
                         observed: ObservedDemands = [:]) -> SteeringSnapshot {
        SteeringSnapshot(assessment: assessment, locator: loaded.locator,
                         vantage: loaded.configuration.director(director).flatMap { loaded.configuration.region($0.region) },
                         ramps: ramps, changes: changes, observed: observed)
    }

    private func peers(of configuration: Configuration) -> [DirectorName] {
        peering == nil ? [] : Self.peers(of: configuration, except: name)
    }

    /// Every director of `configuration` but `director`: its peers.
    static func peers(of configuration: Configuration, except director: DirectorName) -> [DirectorName] {
        configuration.directors.map(\.endpoints.name).filter { $0 != director }
    }

    /// What a refresh read besides the snapshot's inputs.
    struct Refreshed {
        /// The health board's `decisionInputChanges` when the installed snapshot was built.
        var boardChanges: UInt64 = 0
        /// How this director heard each peer at the last refresh (journaled when it changes).
        var peerStates: [DirectorName: PeerState] = [:]
        /// The sites failing back, as of the installed snapshot.
        var ramps = FailbackRamps()
        /// When each gateway last changed state, as of the installed snapshot (adaptive TTLs).
        var changes = GatewayChanges()
        /// The demands the sites' reported loads stand for, as of the installed snapshot.
        var load = LoadController()
    }

    /// Whether a refresh is being built, and whether another was asked for meanwhile.
    struct RefreshQueue {
        var building = false
        /// Another refresh was asked for while one was being built: it is built after it.
        var again = false
    }

    /// Rebuilds the steering snapshot the DNS and redirect listeners answer from: on every verdict or
    /// override change, and from `SnapshotRefresher` every second (latencies) and at the moment the
    /// snapshot changes by itself (`nextSnapshotChange`).
    ///
    /// Refreshes coalesce: one asked for while another is being built returns at once, and one more
    /// build, from the newest inputs, follows the one in progress. So a burst of changes (peers'
    /// frames on every event loop, in a large fleet) costs two builds, not one each, and no caller
    /// waits behind a queue of builds; the answers lag the newest change by at most the build in
    /// progress and one more. A caller builds at most twice: a third build is handed to a task, so no
    /// thread that reads a peer's stream is kept building. A reload's new `responder`, or a build at
    /// a given time, is built at once (after the build in progress), so a reload returns with its
    /// zone installed together with the first snapshot of its configuration.
    public func refreshSnapshot(at now: Timestamp? = nil, installing responder: DNSResponder? = nil) {
        guard steers else { return }
        if now != nil || responder != nil {
            build(at: now ?? .now, installing: responder)
            return
        }
        let builds = refreshQueue.withLockedValue { queue -> Bool in
            guard !queue.building else {
                queue.again = true
                return false
            }
            queue.building = true
            return true
        }
        guard builds else { return }
        for round in 1... {
            refreshQueue.withLockedValue { $0.again = false }
            build(at: .now, installing: nil)
            let (more, handOff) = refreshQueue.withLockedValue { queue -> (Bool, Bool) in
                guard queue.again, round < 2 else {
                    queue.building = false
                    return (false, queue.again)
                }
                return (true, false)
            }
            if handOff { Task { [weak self] in self?.refreshSnapshot() } }
            if !more { return }
        }
    }

    /// Builds the snapshot at `now` and installs it (with `responder`, if given). Builds are
    /// serialized: two made at once must not let the one built from older inputs be installed last.
    private func build(at now: Timestamp, installing responder: DNSResponder?) {
        refreshed.withLockedValue { refreshed in
            refreshed.boardChanges = board.decisionInputChanges
            let (loaded, assessment) = assessment(at: now)
            let inForce = answering.current.snapshot.plan
            journalFailback(refreshed.ramps.update(assessment, overloaded: LoadController.overloaded(assessment, plan: inForce),
                                                   now: now), at: now)
            refreshed.changes.update(assessment, now: now)
            refreshed.load.update(assessment, plan: inForce, now: now)
            let snapshot = Self.snapshot(of: loaded, assessment: assessment, director: name, ramps: refreshed.ramps,
                                         changes: refreshed.changes, observed: refreshed.load.demands)
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
        if builtFrom == board.decisionInputChanges, snapshot.nextChange.map({ now < $0 }) ?? true {
            return snapshot
        }
        // Built here, past the queue, so that what is read is built from what the board shows now.
        if steers { build(at: now, installing: nil) }
        return answering.current.snapshot
    }

    /// When the answers change by themselves, with nothing new heard: the moment an observation they
    /// count goes stale, an override expires, a drain's grace period ends or a failing-back site takes
    /// its next step (`SnapshotRefresher` refreshes then).
    public var nextSnapshotChange: Timestamp? { answering.current.snapshot.nextChange }

    /// Ends `region`'s failback ramps at once (`ctl failback --now`): it has all its clients back.
    /// Returns the services whose ramp ended.
    public func finishFailback(_ region: RegionName, by author: String) -> [ServiceName] {
        let now = Timestamp.now
        let ended = refreshed.withLockedValue { refreshed in
            let events = refreshed.ramps.finish(region, by: author)
            journalFailback(events, at: now)
            return events.map(\.service)
        }
        if !ended.isEmpty { refreshSnapshot(at: now) }
        return ended
    }

    private func journalFailback(_ events: [FailbackEvent], at now: Timestamp) {
        for event in events {
            logger.info("failback", metadata: ["service": "\(event.service)", "region": "\(event.region)",
                                               "event": "\(event.kind.rawValue)", "share": "\(event.share)"])
            journal.record(.failback, "\(event.service)/\(event.region)", event.text, at: now)
        }
    }
}
