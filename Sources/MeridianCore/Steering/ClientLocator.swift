/// Where a client is taken to be, and why.
public struct ClientLocation: Hashable, Sendable, CustomStringConvertible {
    /// How the location was found.
    public enum Source: Hashable, Sendable {
        /// The longest prefix of the networks table that contains the client's address.
        case network(NetworkName, IPPrefix)
        /// No network matched; the GeoIP database's record for the address.
        case geoIP(GeoRecord)
        /// No network matched; the configuration's `default-location`.
        case defaultLocation
        /// No network matched and there is no default: the answering director's own location.
        case director(RegionName)
        /// Nothing is known (offline, no match, no default): policies rank without distance.
        case unknown
    }

    public var source: Source
    public var point: GeoPoint?

    public init(source: Source, point: GeoPoint?) {
        self.source = source
        self.point = point
    }

    public var description: String {
        switch source {
        case .network(let name, let prefix): "network \(name) (\(prefix))"
        case .geoIP(let record): "located by GeoIP: \(record)"
        case .defaultLocation: "default location \(point.map(\.description) ?? "")"
        case .director(let region): "unmatched; taken as near the \(region) director"
        case .unknown: "unknown (no network matches)"
        }
    }
}

/// Finds a client's location from its address with the networks table, then the GeoIP database.
///
/// The fallback for an address that neither places is, in order: the configuration's
/// `default-location`, then the answering director's own location (a resolver that reached this
/// director is likelier near it than not), then unknown.
public struct ClientLocator: Sendable {
    private let table: PrefixTable<Int>
    private let networks: [ClientNetwork]
    private let defaultLocation: NamedLocation?
    /// The GeoIP database's records, grouped for the configuration's regions (`nil`: no database).
    public let geo: GeoPlaces?

    public init(_ configuration: Configuration, geo: GeoPlaces? = nil) {
        self.geo = geo
        networks = configuration.networks
        defaultLocation = configuration.defaultLocation
        table = PrefixTable(configuration.networks.enumerated().flatMap { index, network in
            network.prefixes.map { (prefix: $0, value: index) }
        })
    }

    /// The location of `address`, as seen by the director of `vantage` (`nil` offline).
    public func locate(_ address: IPAddress, vantage: Region? = nil) -> ClientLocation {
        if let match = match(address) { return location(ofNetwork: match.network, prefix: match.prefix) }
        if let record = geo?.database.record(for: address) { return ClientLocation(source: .geoIP(record), point: record.point) }
        return fallback(vantage: vantage)
    }

    /// The number of networks in the table.
    public var networkCount: Int { networks.count }

    /// The network containing `address` (its index in the configuration's networks) and the
    /// longest prefix that matched.
    public func match(_ address: IPAddress) -> (network: Int, prefix: IPPrefix)? {
        table.lookup(address).map { ($0.value, $0.prefix) }
    }

    /// The location of the network at `index`, found through `prefix`.
    public func location(ofNetwork index: Int, prefix: IPPrefix) -> ClientLocation {
        ClientLocation(source: .network(networks[index].name, prefix), point: networks[index].location.point)
    }

    /// Where a client that matches no network and no GeoIP record is taken to be.
    public func fallback(vantage: Region?) -> ClientLocation {
        if let defaultLocation {
            return ClientLocation(source: .defaultLocation, point: defaultLocation.point)
        }
        if let vantage {
            return ClientLocation(source: .director(vantage.name), point: vantage.location)
        }
        return ClientLocation(source: .unknown, point: nil)
    }

    /// The location of a whole network of the table, as `simulate` uses it.
    public static func location(of network: ClientNetwork) -> ClientLocation {
        ClientLocation(source: .network(network.name, network.prefixes[0]), point: network.location.point)
    }
}
