import Logging
import MeridianCore
import NIOCore

extension DirectorService {
    /// Everything a `DirectorService` is built from besides the configuration: which director, where
    /// its inputs and state are, what it peers with, where it listens and within which limits, and
    /// what it does at start. The connection caps start from a `ConnectionBudget`; every other
    /// setting starts at what `meridian serve` uses.
    public struct Options: Sendable {
        /// The region whose director this is.
        public var region: String
        /// Which of the region's directors this is (`nil`: the region's only one).
        public var director: String?
        /// The configuration folder, which a reload reads again (`nil`: built in code, not reloaded).
        public var source: String?
        /// Where the director and its parts log (the director adds its name as metadata).
        public var logger: Logger
        /// With credentials, the director peers with every other director.
        public var credentials: PeerCredentials?
        /// The folder that keeps overrides, observations and the journal across restarts; with one,
        /// a `StateKeeper` runs.
        public var stateDirectory: String?
        /// The folder of the zone's DNSSEC keys (`serve --dnssec-keys`), needed when `dnssec:` is on.
        public var dnssecKeys: String?
        /// The bearer token of the admin API (`nil`: no admin API).
        public var adminToken: AdminToken?
        /// Where a listener binds instead of its configured address (`ephemeralLoopback`: a port
        /// the system picks, reported to `onListening` and in `DirectorService.ports`).
        public var addresses: [Listener: MeridianCore.SocketAddress] = [:]
        /// The bounds of DNS over TCP.
        public var dnsTCP: DNSServer.TCPLimits
        /// Threads answering DNS over UDP.
        public var dnsThreads = System.coreCount
        /// Threads serving redirects, and the connections they take at once.
        public var redirectThreads = RedirectServer.defaultThreads
        public var redirectConnections: Int
        /// A redirect connection idle this long, or this slow to send its head, is closed.
        public var redirectIdleTimeout = Duration.seconds(30)
        public var redirectHeadTimeout = Duration.seconds(10)
        /// API connections at once, and how long one may stay idle.
        public var apiConnections: Int
        public var apiIdleTimeout = Duration.seconds(30)
        /// Whether the director probes its gateways; without, its observations are what
        /// `Director.record(_:for:)` is given (the fleet benchmark's synthetic source).
        public var probes = true
        /// Whether the director rebuilds its answers as observations change (`Director.init`'s `steers`).
        public var steers = true
        /// Whether the director streams its changes to its peers; without, it pushes full JSON
        /// reports only, as the previous version does.
        public var streams = true
        /// Whether `run()` asks the peers for their reports before the parts start (as `serve` does).
        public var greets = true
        /// Whether SIGHUP reloads the configuration from `source`.
        public var reloadsOnHangup = false
        /// Told each listener's bound port once it listens.
        public var onListening: @Sendable (Listener, Int) async -> Void = { _, _ in }

        /// Port 0 on 127.0.0.1: a listener there binds a port the system picks.
        public static let ephemeralLoopback = MeridianCore.SocketAddress(ip: IPAddress("127.0.0.1")!, port: 0)

        /// The options of `region`'s director `director` (`nil`: its only one) with the connection caps of `budget`.
        public init(region: String, director: String? = nil, source: String? = nil, logger: Logger, budget: ConnectionBudget) {
            self.region = region
            self.director = director
            self.source = source
            self.logger = logger
            dnsTCP = DNSServer.TCPLimits(maxConnections: budget.dnsTCP)
            redirectConnections = budget.redirect
            apiConnections = budget.api
        }
    }
}
