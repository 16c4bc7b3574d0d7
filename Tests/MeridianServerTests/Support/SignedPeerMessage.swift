import Foundation
import MeridianCore
@testable import MeridianServer

/// Signs what a test sends to a director as one of its peers would.
enum SignedPeerMessage {
    /// The headers that sign `body` as a report from `sender` to `receiver` at `time`, with `key`
    /// (by default the sender's own, derived from its name as `RunningDirector` peers).
    static func report(_ body: Data, from sender: DirectorName, to receiver: DirectorName, at time: Timestamp,
                       key: DirectorSigningKey? = nil) -> [(String, String)] {
        let credentials = PeerCredentials(key: key ?? .insecureLoopback(for: sender), keyring: .insecureLoopback)
        return PeerAuthentication(credentials: credentials)
            .sign(body, .init(method: "POST", path: PeerExchange.reportPath, from: sender, to: receiver), at: time)
    }
}
