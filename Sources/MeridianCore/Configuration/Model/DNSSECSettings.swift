/// How the zone is signed (`dnssec:` in `global.yaml`). The keys never come from the configuration:
/// each director reads them from `serve --dnssec-keys DIR`.
public struct DNSSECSettings: Hashable, Sendable {
    /// How a name that does not exist is proven so (a type that does not exist is proven by one
    /// NSEC at the name either way).
    public enum Denial: String, Hashable, Sendable {
        /// RFC 9824: one NSEC at the query name with NXNAME in its bitmap, NOERROR (NXDOMAIN for a
        /// query with the Compact OK flag).
        case compact
        /// RFC 4470: NXDOMAIN with two NSECs made up on the spot, one covering just the query name
        /// and one the wildcard of its closest encloser.
        case whiteLies = "white-lies"
    }

    public var denial: Denial = .compact
    /// How long a signature is valid, from its window's start.
    public var validity: Duration = .seconds(7 * 86400)
    /// How often signatures are made anew (every record set once per window).
    public var refresh: Duration = .seconds(86400)
    /// How far before its window a signature's inception lies, for clocks behind ours.
    public var inceptionOffset: Duration = .seconds(3600)
    /// The TTL of DNSKEY, CDS and CDNSKEY: how long resolvers may keep the key set, so how long a
    /// roll waits between publishing a key and signing with it.
    public var keyTTL: UInt32 = 3600

    public init() {}

    /// The start of the refresh window that holds `now`: signatures made at any time within it
    /// carry the same inception and expiration, on every director.
    public func windowStart(at now: Timestamp) -> Int64 {
        let seconds = Int64(refresh.seconds.rounded())
        let nowSeconds = now.nanosecondsSinceEpoch / 1_000_000_000
        return nowSeconds - nowSeconds % max(seconds, 1)
    }

    /// The inception and expiration (seconds since the epoch) of signatures made at `now`.
    public func validityPeriod(at now: Timestamp) -> (inception: Int64, expiration: Int64) {
        let start = windowStart(at: now)
        return (start - Int64(inceptionOffset.seconds.rounded()), start + Int64(validity.seconds.rounded()))
    }
}
