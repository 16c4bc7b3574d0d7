/// Combines every director's observations into one verdict per gateway.
///
/// The rule:
/// 1. Only the newest observation per (gateway, observer) counts, and only while fresh
///    (`Configuration.freshness(of:)`); observations with an `unknown` verdict do not vote.
/// 2. A gateway is `down` when a strict majority of the fresh voters sees it down, otherwise `up`
///    (a tie keeps it up: one observer's cut link must not take a healthy gateway out). With no
///    fresh voter at all, it is `unknown`.
/// 3. A director whose peers are all stale (or that has heard from none yet) is `isolated`: it steers on its own view. If that view
///    says every gateway of every other region is down, the likelier story is that this director is
///    cut off, so it does not trust those `down` verdicts: they become `unknown` (served), and the
///    explanation says why.
public enum Consensus {
    /// Evaluates every gateway of `configuration`. `vantage` is the answering director's region
    /// (`nil` offline); `peers` are the directors it exchanges observations with. Isolation applies
    /// only to a director that has peers.
    public static func evaluate(_ configuration: Configuration, observations: [Observation],
                                vantage: RegionName?, peers: [RegionName], now: Timestamp) -> ConsensusView {
        let newest = newestObservations(observations)
        var fresh: [GatewayName: [Observation]] = [:]
        var stale: [GatewayName: [RegionName]] = [:]
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
            verdicts[gateway.name] = vote(gateway.name, fresh: fresh[gateway.name] ?? [],
                                          stale: stale[gateway.name] ?? [], vantage: vantage)
        }
        if isolated, let vantage {
            distrustRemoteOutage(in: &verdicts, configuration: configuration, vantage: vantage)
        }
        return ConsensusView(gateways: verdicts, isolated: isolated, freshPeers: freshPeers.sorted(), freshUntil: freshUntil)
    }

    private static func newestObservations(_ observations: [Observation]) -> [GatewayName: [RegionName: Observation]] {
        var newest: [GatewayName: [RegionName: Observation]] = [:]
        for observation in observations {
            if let existing = newest[observation.gateway]?[observation.observer], existing.at >= observation.at { continue }
            newest[observation.gateway, default: [:]][observation.observer] = observation
        }
        return newest
    }

    private static func vote(_ gateway: GatewayName, fresh: [Observation], stale: [RegionName],
                             vantage: RegionName?) -> GatewayConsensus {
        let voters = fresh.filter { $0.verdict != .unknown }
        let down = voters.filter { $0.verdict == .down }.count
        let up = voters.count - down
        let verdict: Verdict
        let reason: String
        if voters.isEmpty {
            verdict = .unknown
            reason = "no fresh observation" + (stale.isEmpty ? "" : " (stale: \(stale.map(\.rawValue).joined(separator: ", ")))")
        } else if down * 2 > voters.count {
            verdict = .down
            reason = "\(down) of \(voters.count) fresh observer\(voters.count == 1 ? " sees" : "s see") it down"
        } else {
            verdict = .up
            reason = down == 0
                ? "\(up) of \(voters.count) fresh observer\(voters.count == 1 ? " sees" : "s see") it up"
                : "only \(down) of \(voters.count) fresh observers see it down (no majority)"
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
    public var upVotes: Int
    public var downVotes: Int
    /// The fresh observations that were considered, by observer name.
    public var observations: [Observation]
    /// Observers whose newest observation is stale.
    public var staleObservers: [RegionName]
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
    public var freshPeers: [RegionName]
    /// When the first of the observations counted here goes stale: the view may change then without
    /// any new observation.
    public var freshUntil: Timestamp?

    public init(gateways: [GatewayName: GatewayConsensus], isolated: Bool, freshPeers: [RegionName], freshUntil: Timestamp? = nil) {
        self.gateways = gateways
        self.isolated = isolated
        self.freshPeers = freshPeers
        self.freshUntil = freshUntil
    }
}
