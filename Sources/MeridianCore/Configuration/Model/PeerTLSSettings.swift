/// How directors trust each other over HTTPS (`peer-ca-file` and `peer-client-ca` in `global.yaml`):
/// the authority a peer's `https://` URL is verified against, and the one whose client certificates
/// the peer routes (`/v1/peer/...`) ask for. A director presents its own `api-tls` certificate as its
/// client certificate.
public struct PeerTLSSettings: Sendable, Equatable {
    /// The CA certificates (PEM) a peer's server certificate must chain to (`nil`: the system's).
    public var caFile: String?
    /// The CA certificates (PEM) a peer's client certificate must chain to; with it, the peer routes
    /// refuse a request without one (`nil`: no client certificate is asked for).
    public var clientCAFile: String?

    public init(caFile: String? = nil, clientCAFile: String? = nil) {
        self.caFile = caFile
        self.clientCAFile = clientCAFile
    }
}
