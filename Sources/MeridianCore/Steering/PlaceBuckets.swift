/// The distinct places clients can be at, as far as steering can tell: one bucket per distinct
/// location in the networks table, then one per group of the GeoIP database's records
/// (`GeoPlaces`), and a last one for clients that neither places. Every client of a
/// bucket gets the same decision (up to its lane), which is what lets answers be prebuilt per
/// (service, bucket, lane) and rebuilt only when a decision input changes.
public struct PlaceBuckets: Sendable {
    /// A client location standing for each bucket, in bucket order (the last: unmatched clients).
    public let representatives: [ClientLocation]
    /// The declared `load` of each bucket's networks together (0 for unmatched clients).
    public let loads: [Double]
    /// For each network of the configuration, its bucket (networks at the same place share one).
    private let networkBuckets: [Int]
    /// How many buckets the networks table makes; the GeoIP groups' buckets follow.
    private let networkBucketCount: Int
    private let locator: ClientLocator

    /// The buckets of `configuration`'s networks, with unmatched clients placed as `locator` places
    /// them from the director of `vantage`.
    public init(_ configuration: Configuration, locator: ClientLocator, vantage: Region?) {
        var points: [GeoPoint] = []
        var representatives: [ClientLocation] = []
        var networkBuckets: [Int] = []
        var loads: [Double] = []
        for (index, network) in configuration.networks.enumerated() {
            let point = network.location.point
            if let existing = points.firstIndex(of: point) {
                networkBuckets.append(existing)
                loads[existing] += network.load
            } else {
                points.append(point)
                representatives.append(locator.location(ofNetwork: index, prefix: network.prefixes[0]))
                networkBuckets.append(points.count - 1)
                loads.append(network.load)
            }
        }
        networkBucketCount = representatives.count
        for record in locator.geo?.representatives ?? [] {
            representatives.append(ClientLocation(source: .geoIP(record), point: record.point))
            loads.append(0)
        }
        representatives.append(locator.fallback(vantage: vantage))
        loads.append(0)
        self.representatives = representatives
        self.loads = loads
        self.networkBuckets = networkBuckets
        self.locator = locator
    }

    /// How many buckets there are.
    public var count: Int { representatives.count }

    /// The bucket of a client address, and the network prefix that placed it (`nil`: no network).
    @inline(__always)
    public func bucket(for address: IPAddress) -> (bucket: Int, prefix: IPPrefix?) {
        if let match = locator.match(address) { return (networkBuckets[match.network], match.prefix) }
        if let group = locator.geo?.group(for: address) { return (networkBucketCount + group, nil) }
        return (count - 1, nil)
    }
}
