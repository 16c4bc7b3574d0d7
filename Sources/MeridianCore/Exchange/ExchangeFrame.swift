/// One message of the exchange between two directors: what one director tells one peer on its
/// stream. Every frame names the sender's incarnation (`epoch`, fixed for the life of its ledger)
/// and when it was sent; the send time refreshes every observation the receiver holds from the
/// sender in that incarnation (`ExchangeReplica`).
///
/// A frame is decoded from what a peer sent (`init(decoding:limits:)`); nothing in it is used before
/// `ExchangeCheck` has passed it.
public struct ExchangeFrame: Sendable, Equatable {
    /// The sender's incarnation: frames of another incarnation are not continued, only replaced by
    /// a snapshot.
    public var epoch: UInt64
    public var sentAt: Timestamp
    public var body: Body

    public init(epoch: UInt64, sentAt: Timestamp, body: Body) {
        self.epoch = epoch
        self.sentAt = sentAt
        self.body = body
    }

    /// What the frame says.
    public enum Body: Sendable, Equatable {
        /// Nothing changed: the sender's state is at `sequence` and has this digest.
        case heartbeat(Heartbeat)
        /// The sender's changes after `since` up to `upTo`.
        case delta(Delta)
        /// The sender's whole state at a sequence number.
        case snapshot(Snapshot)
        /// What the sender is missing of the receiver's state.
        case request(Request)
        /// The sender is shutting down, and this is its last frame: the receiver takes it as gone
        /// at once (its observations stop counting, a region-mate's share is taken over).
        case leaving
    }

    /// The sender's sequence high-water mark, the digest of its state there, and what it holds of
    /// the receiver's changes. (Which configuration a peer runs comes with the reports it pushes
    /// when its release changes, `PeerReport`.)
    public struct Heartbeat: Sendable, Equatable {
        public var sequence: UInt64
        /// `ExchangeDigest` of the sender's state at `sequence`.
        public var digest: UInt64
        /// The receiver's changes the sender holds, if it holds any.
        public var acknowledged: Acknowledgement?

        public init(sequence: UInt64, digest: UInt64, acknowledged: Acknowledgement?) {
            self.sequence = sequence
            self.digest = digest
            self.acknowledged = acknowledged
        }
    }

    /// How far the sender holds the receiver's changes: up to `sequence` of the receiver's
    /// incarnation `epoch`.
    public struct Acknowledgement: Sendable, Equatable {
        public var epoch: UInt64
        public var sequence: UInt64

        public init(epoch: UInt64, sequence: UInt64) {
            self.epoch = epoch
            self.sequence = sequence
        }
    }

    /// The changes numbered `since + 1 ... upTo`, each key once with its value at `upTo` (a key
    /// changed twice in the range is carried once).
    public struct Delta: Sendable, Equatable {
        public var since: UInt64
        public var upTo: UInt64
        public var changes: [ExchangeChange]

        public init(since: UInt64, upTo: UInt64, changes: [ExchangeChange]) {
            self.since = since
            self.upTo = upTo
            self.changes = changes
        }
    }

    /// Every observation and override write the sender holds at `sequence` (no removals).
    public struct Snapshot: Sendable, Equatable {
        public var sequence: UInt64
        public var changes: [ExchangeChange]

        public init(sequence: UInt64, changes: [ExchangeChange]) {
            self.sequence = sequence
            self.changes = changes
        }
    }

    /// What the sender asks of the receiver's state.
    public enum Request: Sendable, Equatable {
        /// The whole state.
        case snapshot
        /// The changes after `since` of the receiver's incarnation `epoch`.
        case changes(epoch: UInt64, since: UInt64)
    }
}
