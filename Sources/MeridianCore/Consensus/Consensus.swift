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
        let regionOf = configuration.regionOfDirector
        let newest = newestObservations(observations.filter { regionOf[$0.observer] != nil })
        var fresh: [GatewayName: [Observation]] = [:]
        var stale: [GatewayName: [DirectorName]] = [:]
        var freshUntil: Timestamp?
        for gateway in configuration.gateways {
            let window = configuration.freshness(of: gateway)
            for observation in newest[gateway.name, default: [:]].values.sorted(by: { $0.observer < $1.observer }) {
                if now - observation.at <= window && observation.at <= now + window {
                    fresh[gateway.name, default: []].append(observation)
                    freshUntil = min(freshUntil ?? observation.at + window, observation.at + window)
                } else {
                    stale[gateway.name, default: []].append(observation.observer)
                }
            }
        }
        let freshPeers = Set(fresh.values.joined().map(\.observer)).subtracting(vantage.map { [$0] } ?? [])
        let isolated = vantage != nil && !peers.isEmpty && freshPeers.isDisjoint(with: peers)

        var verdicts: [GatewayName: GatewayConsensus] = [:]
        for gateway in configuration.gateways {
            verdicts[gateway.name] = vote(gateway.name, fresh: fresh[gateway.name] ?? [], stale: stale[gateway.name] ?? [],
                                          regionOf: regionOf, vantage: vantage)
        }
        if isolated, let vantage, let region = regionOf[vantage] {
            distrustRemoteOutage(in: &verdicts, configuration: configuration, vantage: region)
        }
        return ConsensusView(gateways: verdicts, isolated: isolated, freshPeers: freshPeers.sorted(), freshUntil: freshUntil)
    }

    private static func newestObservations(_ observations: [Observation]) -> [GatewayName: [DirectorName: Observation]] {
        var newest: [GatewayName: [DirectorName: Observation]] = [:]
        for observation in observations {
            if let existing = newest[observation.gateway]?[observation.observer], existing.at >= observation.at { continue }
            newest[observation.gateway, default: [:]][observation.observer] = observation
        }
        return newest
    }

    /// How the regions voted on one gateway: the regions whose directors see it down by majority,
    /// and every region with a vote.
    private static func regionVotes(_ voters: [Observation], regionOf: [DirectorName: RegionName]) -> (down: Int, regions: Int) {
        var tallies: [RegionName: (down: Int, all: Int)] = [:]
        for voter in voters {
            guard let region = regionOf[voter.observer] else { continue }
            tallies[region, default: (0, 0)].all += 1
            if voter.verdict == .down { tallies[region, default: (0, 0)].down += 1 }
        }
        return (tallies.values.filter { $0.down * 2 > $0.all }.count, tallies.count)
    }

    private static func vote(_ gateway: GatewayName, fresh: [Observation], stale: [DirectorName],
                             regionOf: [DirectorName: RegionName], vantage: DirectorName?) -> GatewayConsensus {
        let voters = fresh.filter { $0.verdict != .unknown }
        let (down, regions) = regionVotes(voters, regionOf: regionOf)
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
        return GatewayConsensus(gateway: gateway, verdict: verdict, upVotes: up, downVotes: down,
                                observations: fresh, staleObservers: stale, latency: latency,
                                distrusted: false, reason: reason)
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
