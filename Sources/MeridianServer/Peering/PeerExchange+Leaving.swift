import AsyncHTTPClient
import MeridianCore

/// A director that shuts down tells its peers first (`ExchangeFrame.Body.leaving`), so they take it
/// as gone at once: its region-mates take over its probe share before its listeners have closed.
extension PeerExchange {
    /// How long a director that is leaving waits at most for its peers to take its last frame.
    static let farewell: Duration = .milliseconds(500)

    /// Ends every stream with a frame that says this director is leaving (it is shutting down):
    /// its peers take it as gone at once, so its region-mates take over its probe share without
    /// waiting for a refused connection. Nothing more goes to the peers after it.
    public func leave() {
        guard let peering = director.peering else { return }
        peering.links.leave(with: peering.hub.leavingFrame(at: .now))
        // The exchange's loop tells the peers whose stream was not open.
        director.ownChanged()
    }

    /// Tells each of `peers` on a one-frame stream that this director is leaving, all at once,
    /// waiting at most `farewell` for their answers.
    func sayFarewell(_ peering: Peering, client: HTTPClient, to peers: [DirectorEndpoints]) async {
        let frame = peering.hub.leavingFrame(at: .now)
        await withTaskGroup(of: Void.self) { group in
            for peer in peers {
                group.addTask {
                    await peering.links.farewell(to: peer, from: director.name, frame: frame, authentication: peering.authentication,
                                                 client: client, timeout: Self.farewell)
                }
            }
        }
    }
}
