/// The exchange's state machine, pure: what this director tells each peer and what it holds of each
/// peer's state. The transport feeds it events and sends what it returns.
///
/// Sending: `sync` numbers this director's own changes (`ExchangeLog`): a verdict or an override
/// write at once, a latency average only when its quantized value moved by more than
/// `Settings.latencyThreshold` (a reported load, by more than `Settings.loadShare`) and then at
/// most every `Settings.latencyInterval`, with the next frame. `frames(for:at:)` says what goes to
/// a peer now: a snapshot first (and whenever the peer asks for one, or is behind `floor`), then
/// deltas of what it was not sent, and a heartbeat when nothing else went out for
/// `Settings.heartbeatInterval`. Per peer it keeps two numbers, not a
/// backlog: what was sent and what the peer acknowledged (a reopened stream resends from there).
///
/// Receiving: `receive` applies a peer's frames to its `ExchangeReplica` in order; a gap or a
/// digest mismatch queues a request (changes since the replica's sequence, or a snapshot), sent with
/// the next frames to that peer. Requests and resends are made at most once per heartbeat interval
/// per peer, so a peer that asks without end gets one snapshot per interval.
public struct ExchangeLedger<Peer: Hashable & Sendable>: Sendable {
    /// How the ledger paces what it sends.
    public struct Settings: Sendable {
        /// The longest a peer goes without a frame: a heartbeat is sent when nothing else was.
        public var heartbeatInterval: Duration
        /// How often moved latency averages and loads are sent at most.
        public var latencyInterval: Duration
        /// How far a latency average moves before it is sent again: at least `latencyThreshold` and
        /// `latencyShare` of the value sent before.
        public var latencyThreshold: Duration
        public var latencyShare: Double
        /// How far a reported load moves before it is sent again: `loadShare` of the value sent
        /// before, and at least one thousandth.
        public var loadShare: Double
        /// How long this director's own observation of each gateway stays fresh; a stale one is
        /// sent as `unknown` (so it stops voting).
        public var freshness: [GatewayName: Duration] {
            didSet { commonFreshness = Self.common(freshness) }
        }
        /// The freshness of every gateway when they all have the same (the usual case): a sync of
        /// every observation then looks up none.
        private var commonFreshness: Duration?

        public init(heartbeatInterval: Duration, latencyInterval: Duration = .seconds(5),
                    latencyThreshold: Duration = .milliseconds(1), latencyShare: Double = 0.1,
                    loadShare: Double = 0.02, freshness: [GatewayName: Duration] = [:]) {
            self.heartbeatInterval = heartbeatInterval
            self.latencyInterval = latencyInterval
            self.latencyThreshold = latencyThreshold
            self.latencyShare = latencyShare
            self.loadShare = loadShare
            self.freshness = freshness
            self.commonFreshness = Self.common(freshness)
        }

        /// Settings for `configuration`: heartbeats every shortest probe interval, freshness as
        /// `Configuration.freshness(of:)` says.
        public init(configuration: Configuration) {
            let interval = configuration.gateways.map(\.probe.interval).min() ?? .seconds(1)
            self.init(heartbeatInterval: interval,
                      freshness: Dictionary(configuration.gateways.map { ($0.name, configuration.freshness(of: $0)) },
                                            uniquingKeysWith: { first, _ in first }))
        }

        /// How long this director's own observation of `gateway` stays fresh (`nil`, for one not named
        /// while the gateways differ: for ever).
        func freshness(of gateway: GatewayName) -> Duration? {
            commonFreshness ?? freshness[gateway]
        }

        private static func common(_ freshness: [GatewayName: Duration]) -> Duration? {
            guard let first = freshness.first?.value, freshness.values.allSatisfy({ $0 == first }) else { return nil }
            return first
        }

        /// Whether a latency average moved far enough from `sent` to be sent again.
        func moved(from sent: ExchangeLatency?, to latency: ExchangeLatency?) -> Bool {
            guard let sent, let latency else { return (sent == nil) != (latency == nil) }
            let difference = Double(sent.steps) - Double(latency.steps)
            let threshold = max(latencyThreshold.seconds / ExchangeLatency.step.seconds, Double(sent.steps) * latencyShare)
            return abs(difference) >= threshold
        }

        /// Whether a reported load moved far enough from `sent` to be sent again.
        func moved(from sent: ExchangeLoad?, to load: ExchangeLoad?) -> Bool {
            guard let sent, let load else { return (sent == nil) != (load == nil) }
            let difference = Double(sent.thousandths) - Double(load.thousandths)
            return abs(difference) >= max(1, Double(sent.thousandths) * loadShare)
        }
    }

    /// What the sending side keeps per peer.
    struct Link: Sendable {
        /// The newest own change sent on the current stream; `nil`: a snapshot is due.
        var sentUpTo: UInt64?
        /// The newest own change sent at all (a `sentUpTo` below it is a resend), and whether any
        /// snapshot or delta was (a snapshot after that is a resend).
        var highestSent: UInt64 = 0
        var sentState = false
        /// The newest own change the peer said it holds.
        var acknowledged: UInt64?
        var lastSent: Timestamp?
        /// When the last heartbeat went out, and the acknowledgement it carried.
        var heartbeatSent: Timestamp?
        var acknowledgementSent: ExchangeFrame.Acknowledgement?
        /// When a snapshot or a rewound delta last went out.
        var resentAt: Timestamp?
        /// A request to send the peer with the next frames, and the last one sent.
        var request: ExchangeFrame.Request?
        var lastRequest: (request: ExchangeFrame.Request, at: Timestamp)?
    }

    /// What a received frame changed.
    public struct Reception: Sendable, Equatable {
        /// Override writes that are new here (not those set more than
        /// `OverrideTable.clearanceLifetime` ago, whose clears may be gone): to merge.
        public var writes: [OverrideTable.Write] = []
        /// Whether an observation the peer reports changed more than its latency or load: the view
        /// should be rebuilt now (a measure's move waits for the periodic rebuild).
        public var observationsChanged = false
        /// Whether frames to the peer should go out now (a request of ours, or an answer to its).
        public var answer = false
        /// When the peer said it is shutting down (`ExchangeFrame.Body.leaving`; by its clock).
        public var leaving: Timestamp?
    }

    /// This director's incarnation: its peers continue its sequence only within one epoch.
    public let epoch: UInt64
    public var settings: Settings
    var log = ExchangeLog()
    /// Observations whose latency average or load moved, waiting for `latencyInterval` (their
    /// verdict is the one sent).
    var pendingMeasures: [GatewayName: ExchangeObservation] = [:]
    var measuresSentAt: Timestamp?
    var links: [Peer: Link] = [:]
    /// What this director holds of each peer's state.
    public internal(set) var replicas: [Peer: ExchangeReplica] = [:]

    /// A ledger for an incarnation `epoch` (its start time, say): it must differ from every earlier
    /// incarnation's.
    public init(epoch: UInt64, settings: Settings) {
        self.epoch = epoch
        self.settings = settings
    }

    /// Forgets everything held of, and sent to, peers outside `peers` (removed from the configuration).
    public mutating func keep(only peers: Set<Peer>) {
        replicas = replicas.filter { peers.contains($0.key) }
        links = links.filter { peers.contains($0.key) }
    }

    /// The newest own change's number.
    public var sequence: UInt64 { log.sequence }
    /// The digest of this director's own state as it was sent.
    public var digest: UInt64 { log.digest.value }
}
