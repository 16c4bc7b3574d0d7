/// A site: a physical location with a gateway cluster and the directors that run there.
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
    /// Where, against `capacity`, the site's clients start to spill and come back.
    public var watermarks: Watermarks
    /// The region's directors, in the order the file lists them (one for `director:`, named after
    /// the region; any number for `directors:`).
    public var directors: [DirectorEndpoints]
    /// The region's gateways, in the order the file lists them.
    public var gateways: [Gateway]

    public init(name: RegionName, location: GeoPoint, weight: Double = 1, capacity: Double? = nil,
                minHealthy: Double = 0.5, watermarks: Watermarks = .standard, directors: [DirectorEndpoints],
                gateways: [Gateway]) {
        self.name = name
        self.watermarks = watermarks
        self.location = location
        self.weight = weight
        self.capacity = capacity
        self.minHealthy = minHealthy
        self.directors = directors
        self.gateways = gateways
    }

    /// A region with one director, named after the region (what `director:` in a region file gives).
    public init(name: RegionName, location: GeoPoint, weight: Double = 1, capacity: Double? = nil,
                minHealthy: Double = 0.5, watermarks: Watermarks = .standard, director: DirectorEndpoints,
                gateways: [Gateway]) {
        self.init(name: name, location: location, weight: weight, capacity: capacity, minHealthy: minHealthy,
                  watermarks: watermarks, directors: [director], gateways: gateways)
    }

    /// The region's first director: the one `serve` and `demo` run while a region runs one
    /// director at a time.
    public var director: DirectorEndpoints {
        get { directors[0] }
        set { directors[0] = newValue }
    }
}

/// One director of a region: its name and where it listens.
public struct DirectorEndpoints: Hashable, Sendable, Codable {
    public var name: DirectorName
    /// Authoritative DNS, UDP and TCP.
    public var dns: SocketAddress
    /// The HTTP redirector.
    public var redirect: SocketAddress
    /// The HTTPS redirector, beside the plain one (`redirect-tls`; `nil`: none).
    public var redirectTLS: SocketAddress?
    /// The HTTP API: status, explain, metrics, admin and peer endpoints.
    public var api: SocketAddress
    /// The certificate the API serves HTTPS with (`api-tls`; `nil`: plain HTTP), and the one this
    /// director presents to its peers when they ask for a client certificate.
    public var apiTLS: TLSSettings.CertificateFiles?
    /// The URL other directors use to reach this one's API (by default `http://API`, or
    /// `https://API` with `apiTLS`).
    public var peerURL: BaseURL
    /// The public key this director signs its messages to peers with (`director.key`); without it,
    /// its peers take nothing from it (unless every key is derived from the names, on loopback).
    public var key: DirectorKey?

    public init(name: DirectorName, dns: SocketAddress, redirect: SocketAddress, api: SocketAddress, peerURL: BaseURL? = nil,
                key: DirectorKey? = nil, redirectTLS: SocketAddress? = nil, apiTLS: TLSSettings.CertificateFiles? = nil) {
        self.name = name
        self.dns = dns
        self.redirect = redirect
        self.redirectTLS = redirectTLS
        self.api = api
        self.apiTLS = apiTLS
        self.peerURL = peerURL ?? BaseURL("\(apiTLS == nil ? "http" : "https")://\(api)")!
        self.key = key
    }

    /// Every address this director listens on.
    public var listenAddresses: [SocketAddress] { [dns, redirect, api] + (redirectTLS.map { [$0] } ?? []) }
}
