/// Clients are spread over a fixed number of lanes by a hash of their address. A lane decides the
/// `weighted` pick, a client's place in failback ramps and spills, and the rotation of the answer
/// set, so one client keeps its answer while many clients spread, and answers can be prebuilt per
/// lane. DNS and the HTTP redirector use the same lanes, so a client gets the same site from both.
public enum ClientLanes {
    /// How many lanes there are: every share a plan gives is carried out to within half a lane
    /// (0.4 percentage points), and a share split several ways to within about two lanes.
    public static let count = 128

    /// The lane of a client, from its address (or its subnet's).
    public static func lane(for address: IPAddress) -> Int {
        Int(mix(address) % UInt64(count))
    }

    /// The steering selector of a lane: the middle of its slice of the 64-bit range.
    public static func selector(forLane lane: Int) -> UInt64 {
        let width = UInt64.max / UInt64(count)
        return UInt64(lane) &* width &+ width / 2
    }

    /// The steering selector of a client: its lane's.
    public static func selector(for address: IPAddress) -> UInt64 {
        selector(forLane: lane(for: address))
    }

    /// A well-mixed number from an address (splitmix64's finalizer).
    static func mix(_ address: IPAddress) -> UInt64 {
        var value: UInt64
        switch address {
        case .v4(let bits): value = UInt64(bits)
        case .v6(let bits): value = UInt64(truncatingIfNeeded: bits >> 64) ^ UInt64(truncatingIfNeeded: bits)
        }
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
