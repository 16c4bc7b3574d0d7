import Hummingbird
import NIOCore
import NIOSSL

/// The request context of the director's API: Hummingbird's basics, and the connection the request
/// came on, to tell whether its client presented a certificate (`peer-client-ca`).
struct APIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    private let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Whether the client presented a certificate at the TLS handshake. The API asks for one only
    /// under `peer-client-ca`, and then verifies it against that authority before the handshake
    /// ends, so a certificate here is one the authority issued.
    func presentedClientCertificate() async -> Bool {
        let channel = self.channel
        return (try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate != nil
        }.get()) ?? false
    }
}
