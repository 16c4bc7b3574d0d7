/// Which release a director fetches from its peers, and when: a rule as a value that returns what to
/// do, tested without sockets.
///
/// 1. Only a numbered release (serial 1 or more) that outranks the running one (`ReleaseRank`) is
///    followed, and of those the highest that any peer announces: a lower one would be replaced at once.
/// 2. One fetch at a time.
/// 3. A release that was fetched and could not be installed (a bad signature, a load error, this
///    director's entry removed, an address it cannot bind) is not tried again: the director keeps
///    the running one until a different release outranks it.
/// 4. A release that could not be fetched (no peer answered) is tried again after `retryAfter`.
public struct ReleaseFollowing<Peer: Hashable & Comparable & Sendable>: Sendable {
    /// What to do now.
    public enum Action: Equatable, Sendable {
        /// Fetch the release `announcement` names from `peers` (each in turn, until one answers).
        case fetch(ConfigurationAnnouncement, from: [Peer])
        case none
    }

    /// How a fetch ended.
    public enum Outcome: Equatable, Sendable {
        case installed
        /// Fetched, and refused for this reason: not tried again.
        case refused(String)
        /// No peer gave it.
        case unreachable
    }

    /// How long a release no peer gave waits before it is asked for again.
    public let retryAfter: Duration
    private var fetching: ReleaseRank?
    /// The releases refused, and when the unreachable ones may be asked for again (the latest few).
    private var refused: [ReleaseRank: String] = [:]
    private var unreachable: [ReleaseRank: Timestamp] = [:]
    /// How many refused or unreachable releases are remembered at most.
    static var remembered: Int { 16 }

    public init(retryAfter: Duration = .seconds(5)) {
        self.retryAfter = retryAfter
    }

    /// What to do, when this director runs `running` (`nil`: unnumbered) and its peers announce
    /// `heard`, at `now`.
    public mutating func next(running: ReleaseRank?, heard: [Peer: ConfigurationAnnouncement], at now: Timestamp) -> Action {
        guard fetching == nil else { return .none }
        let floor = running ?? ReleaseRank(serial: 0, fingerprint: "")
        guard let best = heard.values.filter({ $0.serial > 0 && $0.rank > floor }).max(by: { $0.rank < $1.rank }) else {
            return .none
        }
        let rank = best.rank
        guard refused[rank] == nil else { return .none }
        if let again = unreachable[rank], now < again { return .none }
        fetching = rank
        return .fetch(best, from: heard.filter { $0.value.rank == rank }.keys.sorted())
    }

    /// Records how the fetch of `rank` ended at `now`.
    public mutating func finished(_ rank: ReleaseRank, _ outcome: Outcome, at now: Timestamp) {
        if fetching == rank { fetching = nil }
        switch outcome {
        case .installed:
            refused = refused.filter { $0.key > rank }
            unreachable = unreachable.filter { $0.key > rank }
        case .refused(let problem):
            refused[rank] = problem
            unreachable[rank] = nil
        case .unreachable:
            unreachable[rank] = now + retryAfter
        }
        // Forget the lowest first: a fleet moves up, never down.
        while refused.count > Self.remembered, let lowest = refused.keys.min() { refused[lowest] = nil }
        while unreachable.count > Self.remembered, let lowest = unreachable.keys.min() { unreachable[lowest] = nil }
    }

    /// Why `rank` was refused here, if it was.
    public func problem(of rank: ReleaseRank) -> String? {
        refused[rank]
    }
}
