import MeridianCore

/// How this director hears another region's director.
public enum PeerState: String, Sendable, Codable {
    /// A report arrived within the freshness window (three probe intervals).
    case fresh
    /// Reports came, but none within the window.
    case stale
    /// Nothing heard yet.
    case silent
    /// This director does not peer (it has no key).
    case off

    /// The state of a peer whose last report arrived at `lastHeard` (`nil`: none yet), when reports
    /// stay fresh for `window`.
    static func of(lastHeard: Timestamp?, window: Duration, at now: Timestamp) -> PeerState {
        guard let lastHeard else { return .silent }
        return now - lastHeard <= window ? .fresh : .stale
    }

    /// What the journal says when a peer goes from `previous` to `self`.
    func journalMessage(after previous: PeerState) -> String {
        switch (previous, self) {
        case (.silent, .fresh): "first report"
        case (_, .fresh): "heard from again"
        default: "no report for three probe intervals (\(rawValue))"
        }
    }
}
