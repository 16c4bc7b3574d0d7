/// The one header the HTTP redirector reads a client's address from when the connection comes from
/// a trusted proxy (`forwarded-header` in `global.yaml`). Only one is read: a proxy that sets one of
/// them passes the other through from the client untouched, so reading both would let a client
/// choose its own address.
public enum ForwardingHeader: String, Sendable, CaseIterable {
    /// `X-Forwarded-For: client, proxy1, ...` (the default: what most proxies set).
    case xForwardedFor = "X-Forwarded-For"
    /// RFC 7239 `Forwarded: for=client, for=proxy1, ...`.
    case forwarded = "Forwarded"

    /// The header called `name` (case-insensitive, as HTTP header names are).
    public init?(name: String) {
        guard let header = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = header
    }
}
