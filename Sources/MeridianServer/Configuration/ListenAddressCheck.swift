#if canImport(Glibc)
import Glibc
#endif
import MeridianCore

/// Whether this host can bind an address a new configuration gives this director: it binds it
/// (TCP, and UDP too for DNS) and lets it go at once. A listener's address takes effect when the
/// director restarts; a release with one it cannot bind is refused rather than kept for a restart
/// that would fail.
enum ListenAddressCheck {
    /// Why `address` cannot be bound (TCP, and UDP when `datagram`), or `nil`.
    static func problem(binding address: MeridianCore.SocketAddress, datagram: Bool) -> String? {
        let types = [RawSocket.stream] + (datagram ? [RawSocket.datagram] : [])
        for type in types {
            do {
                close(try RawSocket.bind(address, type: type))
            } catch {
                return "cannot bind \(address) (\(type == RawSocket.stream ? "TCP" : "UDP")): \(error)"
            }
        }
        return nil
    }
}
