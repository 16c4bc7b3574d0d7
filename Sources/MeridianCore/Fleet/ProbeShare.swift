/// How the directors of one region split the probing of every gateway between them, so that adding a
/// director to a region does not multiply the probes a gateway takes: each gateway is probed by one
/// director of each region, the one that ranks highest for it by rendezvous hashing over the
/// region's active directors.
///
/// Rendezvous hashing moves only the gateways of a director that leaves (or joins): the others keep
/// their prober, so their health state machines keep running where they are.
public enum ProbeShare {
    /// The director of `candidates` that probes `gateway` (`nil` when there is none).
    public static func owner(of gateway: GatewayName, among candidates: some Sequence<DirectorName>) -> DirectorName? {
        candidates.max { rank(gateway, $0) < rank(gateway, $1) }
    }

    /// The gateways of `configuration` that `director` probes while `active` are its region's
    /// directors it hears from (itself included whether listed or not). A director with no active
    /// region-mate probes every gateway.
    public static func gateways(of director: DirectorName, in configuration: Configuration,
                                active: Set<DirectorName>) -> Set<GatewayName> {
        let candidates = active.union([director])
        return Set(configuration.gateways.lazy.map(\.name).filter { owner(of: $0, among: candidates) == director })
    }

    /// The active directors of `director`'s region under `configuration`: itself, and those of
    /// its region-mates that `isActive` says are.
    public static func activeDirectors(of director: DirectorName, in configuration: Configuration,
                                       isActive: (DirectorName) -> Bool) -> Set<DirectorName> {
        guard let region = configuration.director(director)?.region, let mates = configuration.region(region)?.directors else {
            return [director]
        }
        return Set(mates.map(\.name).filter { $0 == director || isActive($0) })
    }

    /// The rank of `director` for `gateway`: a 64-bit hash of both names, the same on every director
    /// and in every version (FNV-1a, then a SplitMix64 finalizer so that names differing in one
    /// character spread over the whole range). Ties, which need equal hashes, break by name.
    static func rank(_ gateway: GatewayName, _ director: DirectorName) -> (UInt64, String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in gateway.rawValue.utf8 + [0] + director.rawValue.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return (hash ^ (hash >> 31), director.rawValue)
    }
}
