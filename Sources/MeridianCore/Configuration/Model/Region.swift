/// A site: a physical location with a gateway cluster and the director that runs there.
public struct Region: Hashable, Sendable {
    public var name: RegionName
    public var location: GeoPoint
    /// The region's share in `weighted` steering, relative to the other regions (default 1).
    public var weight: Double
    /// The request rate the site can take, in the same unit as client networks' `load`; `nil` when
    /// unknown (no capacity check).
    public var capacity: Double?
    /// The fraction of gateways that must be healthy for the site to be available (0...1).
    public var minHealthy: Double
    public var director: DirectorEndpoints
    /// The region's gateways, in the order the file lists them.
    public var gateways: [Gateway]

    public init(name: RegionName, location: GeoPoint, weight: Double = 1, capacity: Double? = nil,
                minHealthy: Double = 0.5, director: DirectorEndpoints, gateways: [Gateway]) {
        self.name = name
        self.location = location
        self.weight = weight
        self.capacity = capacity
        self.minHealthy = minHealthy
        self.director = director
        self.gateways = gateways
    }
}

/// Where a region's director listens.
public struct DirectorEndpoints: Hashable, Sendable, Codable {
    /// Authoritative DNS, UDP and TCP.
    public var dns: SocketAddress
    /// The HTTP redirector.
    public var redirect: SocketAddress
    /// The HTTP API: status, explain, metrics, admin and peer endpoints.
    public var api: SocketAddress
    /// The URL other directors use to reach this one's API.
    public var peerURL: BaseURL
    /// The public key this director signs its messages to peers with (`director.key`); without it,
    /// its peers take nothing from it (unless every key is derived from the names, on loopback).
    public var key: DirectorKey?

    public init(dns: SocketAddress, redirect: SocketAddress, api: SocketAddress, peerURL: BaseURL? = nil, key: DirectorKey? = nil) {
        self.dns = dns
        self.redirect = redirect
        self.api = api
        self.peerURL = peerURL ?? BaseURL("http://\(api)")!
        self.key = key
    }

    /// Every address this director listens on.
    public var listenAddresses: [SocketAddress] { [dns, redirect, api] }
}
