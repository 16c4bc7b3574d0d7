import Logging
import MeridianCore
import NIOConcurrencyHelpers
import ServiceLifecycle

/// One region's director with everything it runs: its probes, the snapshot refresher, the peer
/// exchange, the state keeper (with a state folder), the DNS and redirect listeners, the API and,
/// when asked, reloading on SIGHUP. Like Hummingbird's `Application`, it is a `Service` that runs its
/// parts in a service group of its own, so `meridian serve`, `meridian demo`, the tests and the
/// benchmarks each wire one value, built by one initializer from the configuration and `Options`.
///
/// With `Options.greets`, `run()` first asks every peer for its report (`PeerExchange.greet()`), so
/// that the first answers are made from the peers' observations; only then do the parts start.
public struct DirectorService: ServiceLifecycle.Service {
    /// A listener of a director, named as its configuration key is.
    public enum Listener: String, Sendable, CaseIterable {
        case dns = "director.dns"
        case redirect = "director.redirect"
        case redirectTLS = "director.redirect-tls"
        case api = "director.api"
    }

    /// The director the parts run for.
    public let director: Director
    /// The address each listener binds (its configured one unless `Options.addresses` says otherwise).
    public let addresses: [Listener: MeridianCore.SocketAddress]
    private let parts: [any ServiceLifecycle.Service]
    private let exchange: PeerExchange
    private let greets: Bool
    private let bound: NIOLockedValueBox<[Listener: Int]>

    /// The director `options.director` of `options.region` under `configuration`, and its parts.
    /// Throws when the region or director is unknown (`Director.StartError`) or its state folder
    /// cannot be made; a state folder is made only for a director the configuration has.
    public init(configuration: Configuration, options: Options) throws {
        let named = try Director.endpoints(in: configuration, region: options.region, director: options.director).endpoints
        let state = try options.stateDirectory.map { try StateStore(directory: $0) }
        let director = try Director(configuration: configuration, region: options.region, director: options.director,
                                    source: options.source, logger: options.logger, credentials: options.credentials, state: state,
                                    signing: options.dnssecKeys.map { ZoneSigning(folder: ZoneKeyFolder(path: $0)) }, steers: options.steers)
        // A director that starts on a release it kept binds that release's addresses.
        let endpoints = director.configuration.director(director.name)?.endpoints ?? named
        var addresses: [Listener: MeridianCore.SocketAddress] = [
            .dns: options.addresses[.dns] ?? endpoints.dns,
            .redirect: options.addresses[.redirect] ?? endpoints.redirect,
            .api: options.addresses[.api] ?? endpoints.api,
        ]
        let bound = NIOLockedValueBox<[Listener: Int]>([:])
        let onListening = options.onListening
        @Sendable func listening(_ listener: Listener, _ port: Int) async {
            bound.withLockedValue { $0[listener] = port }
            await onListening(listener, port)
        }
        // The HTTPS redirect listener, with the certificates `tls:` names (read now: a bad pair stops the start).
        var tls: RedirectServer.TLSListener?
        if let address = options.addresses[.redirectTLS] ?? endpoints.redirectTLS, let settings = director.configuration.tls {
            addresses[.redirectTLS] = address
            try director.certificates.useRedirect(settings)
            tls = RedirectServer.TLSListener(address: address, certificates: director.certificates) { await listening(.redirectTLS, $0) }
        }
        // The API's certificate and the peers' authorities (read now: a bad file stops the start).
        let apiTLS = try endpoints.apiTLS.map { files in
            try director.certificates.useAPI(files, clientCA: director.configuration.peerTLS?.clientCAFile,
                                             minimum: director.configuration.tls?.minimumVersion ?? .tls12)
        }
        let peerTLS = try APITLS.peerClient(director.configuration, director: director.name)
        let exchange = PeerExchange(director: director, streams: options.streams, tls: peerTLS)
        var parts: [any ServiceLifecycle.Service] = options.probes ? [director.scheduler] : []
        if options.steers { parts += [SnapshotRefresher(directors: [director]), GeoIPWatcher(directors: [director])] }
        parts += [exchange, ReleaseDistribution(director: director, tls: peerTLS)] as [any ServiceLifecycle.Service]
        if state != nil { parts.append(StateKeeper(directors: [director])) }
        parts.append(DNSServer(answering: director.answering, address: addresses[.dns]!, logger: director.logger,
                               tcp: options.dnsTCP, udpThreads: options.dnsThreads) { await listening(.dns, $0) })
        parts.append(RedirectServer(answering: director.redirects, address: addresses[.redirect]!, logger: director.logger,
                                    threads: options.redirectThreads, maxConnections: options.redirectConnections,
                                    idleTimeout: options.redirectIdleTimeout, headTimeout: options.redirectHeadTimeout, tls: tls) {
            await listening(.redirect, $0)
        })
        parts.append(try DirectorAPI.application(for: director, address: addresses[.api]!, adminToken: options.adminToken,
                                                 maxConnections: options.apiConnections, idleTimeout: options.apiIdleTimeout, tls: apiTLS) {
            await listening(.api, $0.port ?? 0)
        })
        if options.reloadsOnHangup { parts.append(ReloadOnHangup(directors: [director])) }
        self.director = director
        self.addresses = addresses
        self.parts = parts
        self.exchange = exchange
        self.greets = options.greets
        self.bound = bound
    }

    /// The port each listener is bound to, once it is (useful when its address has port 0).
    public var ports: [Listener: Int] { bound.withLockedValue { $0 } }

    /// Greets the peers if asked, then runs every part until a graceful shutdown (of the group this
    /// service runs in; the peers are told at once that this director is leaving) or until one of
    /// them fails, whose error it throws.
    public func run() async throws {
        if greets { await exchange.greet() }
        // The peers hear first that this director is leaving; its parts then stop in turn.
        try await withGracefulShutdownHandler {
            try await ServiceGroup(services: parts, logger: director.logger).run()
        } onGracefulShutdown: { [exchange] in
            exchange.leave()
        }
    }
}
