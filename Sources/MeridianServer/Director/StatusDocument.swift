/// The health dashboard as JSON (`GET /v1/status`). Its schema is documented in docs/api.md (`/v1/status`);
/// fields are only ever added.
public struct StatusDocument: Codable, Sendable {
    public var director: DirectorInfo
    public var regions: [RegionStatus]
    public var services: [ServiceStatus]
    public var overrides: [OverrideStatus]
    public var peers: [PeerStatus]
    /// The zone's static record sets (`records:`); absent from directors that predate them.
    public var records: [RecordStatus]?
    /// How the zone is signed; absent when it is not.
    public var dnssec: DNSSECStatus?
    public var generatedAt: String

    /// The signer in use: its keys by role (key tags), the served signatures' validity, and how
    /// many signatures this director has made.
    public struct DNSSECStatus: Codable, Sendable {
        public var signingKeys: [UInt16]
        public var publishedKeys: [UInt16]
        public var signalledKeys: [UInt16]
        public var inception: String
        public var expiration: String
        public var signaturesMade: UInt64
    }

    /// One static record set.
    public struct RecordStatus: Codable, Sendable {
        public var name: String
        public var type: String
        public var ttl: UInt32
        public var values: [String]
    }

    public struct DirectorInfo: Codable, Sendable {
        public var name: String
        public var region: String
        public var version: String
        public var startedAt: String
        public var uptimeSeconds: Double
        public var configuration: ConfigurationInfo
        /// Some gateway has not been probed yet: verdicts may still change quickly.
        public var warmingUp: Bool
        /// Whether the director answers from a fresh view (what `/healthz` says), and why (`Readiness`).
        public var ready: Bool
        public var readiness: String
        /// This director has peers and none has a fresh observation: it steers on its own view
        /// and does not take every other region for dead on that view alone.
        public var isolated: Bool
        /// The state files moved aside at start, and why (unreadable, or holding impossible times);
        /// empty when the state folder was sound.
        public var stateProblems: [String]
        /// Which gateways this director probes: its share of the region's probing.
        public var probing: ProbingInfo
    }

    /// A director's share of its region's probing (`ProbeShare`).
    public struct ProbingInfo: Codable, Sendable {
        /// How many gateways this director probes, of how many the configuration has.
        public var gateways: Int
        public var of: Int
        /// The region-mates it shares the probing with (none: it probes every gateway).
        public var sharedWith: [String]
    }

    public struct ConfigurationInfo: Codable, Sendable {
        public var fingerprint: String
        public var loadedAt: String
        /// The folder it was loaded from, if any.
        public var source: String?
        /// Why the last reload was refused, if it was.
        public var lastReloadError: String?
        /// The release it is (0: the folder the director started from, unnumbered), who gave it,
        /// when and which director numbered and signed it (`GET /v1/configuration` has them all).
        public var serial: UInt64?
        public var author: String?
        public var madeAt: String?
        public var signer: String?
        /// Why the latest release from a peer was not installed (the running one stayed); `nil`
        /// once one is.
        public var problem: String?
    }

    public struct RegionStatus: Codable, Sendable {
        public var name: String
        public var latitude: Double
        public var longitude: Double
        public var availability: String
        public var reason: String
        public var score: Double
        public var healthy: Int
        public var total: Int
        public var healthyFraction: Double
        public var minHealthy: Double
        public var weight: Double
        public var capacity: Double?
        public var latencyMs: Double?
        public var override: OverrideStatus?
        public var gateways: [GatewayStatusEntry]
    }

    public struct GatewayStatusEntry: Codable, Sendable {
        public var name: String
        public var address: String
        /// What is probed, as a URL (`http://127.0.1.1:18080/health`, `tcp://…`).
        public var probe: String
        /// Whether clients are sent to it: up, unconfirmed, down or drained.
        public var state: String
        /// This director's own verdict: up, down or unknown.
        public var verdict: String
        /// Why the state is what it is.
        public var reason: String
        public var since: String?
        public var consecutiveSuccesses: Int
        public var consecutiveFailures: Int
        public var strikes: Int
        public var latencyMs: Double?
        public var lastProbe: ProbeInfo?
    }

    public struct ProbeInfo: Codable, Sendable {
        public var at: String
        public var ok: Bool
        public var latencyMs: Double
        public var error: String?
    }

    public struct ServiceStatus: Codable, Sendable {
        public var name: String
        public var fqdn: String
        public var policy: String
        public var allDown: String
        /// Where each client network is sent now.
        public var steering: [SteeringEntry]
        /// Each eligible site's load, shed share and failback (absent from directors that predate them).
        public var sites: [SiteLoadStatus]?
        /// The fleet has no room: every site with a capacity carries the same share, above its high watermark.
        public var short: Bool?
    }

    public struct SteeringEntry: Codable, Sendable {
        public var network: String
        /// The chosen region, or nil when all sites are down.
        public var region: String?
        public var outcome: String
        public var addresses: [String]
        public var reason: String
        /// How the network's clients split between sites, after failback and spill (absent from
        /// directors that predate them).
        public var shares: [String: Double]?
    }

    public struct OverrideStatus: Codable, Sendable {
        public var target: String
        public var action: String
        public var reason: String
        public var author: String
        public var setAt: String
        public var expiresAt: String?
    }

    public struct PeerStatus: Codable, Sendable {
        public var director: String
        public var region: String
        public var url: String
        /// `fresh`, `stale`, `silent` (nothing heard yet) or `off` (this director does not peer: no key).
        public var state: String
        /// When its last report arrived.
        public var lastHeard: String?
        /// The configuration fingerprint it reported.
        public var fingerprint: String?
        /// Whether it runs the same configuration as this director.
        public var sameConfiguration: Bool?
        /// When this director last pushed its report to it, and what went wrong, if anything.
        public var lastSent: String?
        public var lastSendError: String?
    }
}
