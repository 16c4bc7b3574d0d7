/// Combines every director's observations into one verdict per gateway.
///
/// The rule:
/// 1. Only the newest observation per (gateway, observer) counts, and only while fresh
///    (`Configuration.freshness(of:)`); observations with an `unknown` verdict do not vote, and
///    neither do observers the configuration does not name.
/// 2. Each region votes once: its fresh directors decide its vote by majority, a tie keeping the
///    gateway up. A region with more directors therefore never outvotes one with fewer.
/// 3. A gateway is `down` when a strict majority of the regions with a vote sees it down, otherwise
///    `up` (a tie keeps it up: one region's cut link must not take a healthy gateway out). With no
///    fresh voter at all, it is `unknown`.
/// 4. A director whose peers are all stale (or that has heard from none yet) is `isolated`: it steers
///    on its own view. If that view says every gateway of every other region is down, the likelier
///    story is that this director is cut off, so it does not trust those `down` verdicts: they become
///    `unknown` (served), and the explanation says why. Isolation is judged per director.
public enum Consensus {
    /// Evaluates every gateway of `configuration`. `vantage` is the answering director (`nil`
    /// offline); `peers` are the directors it exchanges observations with. Isolation applies only to
    /// a director that has peers.
    public static func evaluate(_ configuration: Configuration, observations: [Observation],
                                vantage: DirectorName?, peers: [DirectorName], now: Timestamp) -> ConsensusView {
        let table = ObservationTable(configuration, observations: observations)
        let gateways = table.gateways
        var fresh: [[Observation]] = Array(repeating: [], count: gateways.count)
        // The region number of each fresh observation's observer.
        var freshRegions: [[Int]] = Array(repeating: [], count: gateways.count)
        var stale: [[DirectorName]] = Array(repeating: [], count: gateways.count)
        var freshObserver = Array(repeating: false, count: table.observers.count)
        var freshUntil: Timestamp?
        for (slot, gateway) in gateways.enumerated() {
            let window = configuration.freshness(of: gateway)
            // Observers are numbered in name order, so each list is in name order.
            for observer in table.observers.indices {
                guard let observation = table.newest(gateway: slot, observer: observer, in: observations) else { continue }
                if now - observation.at <= window && observation.at <= now + window {
                    fresh[slot].append(observation)
                    freshRegions[slot].append(table.observers[observer].region)
                    freshObserver[observer] = true
                    freshUntil = min(freshUntil ?? observation.at + window, observation.at + window)
                } else {
                    stale[slot].append(observation.observer)
                }
            }
        }
        let freshPeers = Set(table.observers.indices.filter { freshObserver[$0] }.map { table.observers[$0].name })
            .subtracting(vantage.map { [$0] } ?? [])
        let isolated = vantage != nil && !peers.isEmpty && freshPeers.isDisjoint(with: peers)

        var tally = RegionTally(regions: configuration.regions.count)
        var verdicts: [GatewayName: GatewayConsensus] = Dictionary(minimumCapacity: gateways.count)
        for (slot, gateway) in gateways.enumerated() {
            verdicts[gateway.name] = vote(gateway.name, fresh: fresh[slot], regions: freshRegions[slot], stale: stale[slot],
                                          tally: &tally, vantage: vantage)
        }
        if isolated, let vantage, let region = configuration.regionOfDirector[vantage] {
            distrustRemoteOutage(in: &verdicts, configuration: configuration, vantage: region)
        }
        return ConsensusView(gateways: verdicts, isolated: isolated, freshPeers: freshPeers.sorted(), freshUntil: freshUntil)
    }

    /// `regions` holds the region number of each fresh observation's observer.
    private static func vote(_ gateway: GatewayName, fresh: [Observation], regions observerRegions: [Int], stale: [DirectorName],
                             tally: inout RegionTally, vantage: DirectorName?) -> GatewayConsensus {
        var voters: [Observation] = []
        for (observation, region) in zip(fresh, observerRegions) where observation.verdict != .unknown {
            voters.append(observation)
            tally.count(region: region, down: observation.verdict == .down)
        }
        let (down, regions) = tally.result()
        let up = regions - down
        // One director per region: the votes are the directors' own, and are called observers.
        let byDirector = voters.count == regions
        let voter = byDirector ? "fresh observer" : "region"
        func count(_ number: Int) -> String { "\(number) of \(regions) \(voter)\(regions == 1 ? " sees" : "s see")" }
        let verdict: Verdict
        let reason: String
        if voters.isEmpty {
            verdict = .unknown
            reason = "no fresh observation" + (stale.isEmpty ? "" : " (stale: \(stale.map(\.rawValue).joined(separator: ", ")))")
        } else if down * 2 > regions {
            verdict = .down
            reason = "\(count(down)) it down"
        } else {
            verdict = .up
            reason = down == 0 ? "\(count(up)) it up" : "only \(down) of \(regions) \(voter)s see it down (no majority)"
        }
        let own = fresh.first { $0.observer == vantage }
        let latencies = fresh.compactMap(\.latency).sorted()
        let latency = own?.latency ?? (latencies.isEmpty ? nil : latencies[latencies.count / 2])
        // The load is the gateway's, not the observer's: every director takes the same median.
        let loads = fresh.compactMap(\.load).sorted()
        return GatewayConsensus(gateway: gateway, verdict: verdict, upVotes: up, downVotes: down,
                                observations: fresh, staleObservers: stale, latency: latency,
                                load: loads.isEmpty ? nil : loads[loads.count / 2], distrusted: false, reason: reason)
    }

    private static func distrustRemoteOutage(in verdicts: inout [GatewayName: GatewayConsensus],
                                             configuration: Configuration, vantage: RegionName) {
        let remote = configuration.regions.filter { $0.name != vantage }
        let everyRemoteGatewayDown = remote.allSatisfy { region in
            region.gateways.allSatisfy { verdicts[$0.name]?.verdict == .down }
        }
        guard !remote.isEmpty, everyRemoteGatewayDown else { return }
        for gateway in remote.flatMap(\.gateways) {
            verdicts[gateway.name]?.verdict = .unknown
            verdicts[gateway.name]?.distrusted = true
            verdicts[gateway.name]?.reason = "isolated from every peer and my own view sees every other region down: "
                + "not trusted (more likely my own link is cut)"
        }
    }
}

/// The consensus verdict for one gateway and what it was built from.
public struct GatewayConsensus: Hashable, Sendable {
    public var gateway: GatewayName
    public var verdict: Verdict
    /// Regions whose fresh directors see the gateway up (or split evenly), and down by majority.
    public var upVotes: Int
    public var downVotes: Int
    /// The fresh observations that were considered, by observer name.
    public var observations: [Observation]
    /// Observers whose newest observation is stale.
    public var staleObservers: [DirectorName]
    /// The answering director's own latency average if fresh, else the median of fresh observers'.
    public var latency: Duration?
    /// The median of the loads the fresh observers' probes were told (`probe.load`), in the
    /// reading's unit; the same from every director that holds the same observations.
    public var load: Double?
    /// Whether an isolated director set aside its own `down` verdict (rule 3).
    public var distrusted: Bool
    public var reason: String
}

/// The consensus over every gateway, as seen from one director at one moment.
public struct ConsensusView: Sendable {
    public var gateways: [GatewayName: GatewayConsensus]
    /// No peer has a fresh observation: this director sees the world alone.
    public var isolated: Bool
    /// Peers with at least one fresh observation.
    public var freshPeers: [DirectorName]
    /// When the first of the observations counted here goes stale: the view may change then without
    /// any new observation.
    public var freshUntil: Timestamp?

    public init(gateways: [GatewayName: GatewayConsensus], isolated: Bool, freshPeers: [DirectorName], freshUntil: Timestamp? = nil) {
        self.gateways = gateways
        self.isolated = isolated
        self.freshPeers = freshPeers
        self.freshUntil = freshUntil
    }
}
