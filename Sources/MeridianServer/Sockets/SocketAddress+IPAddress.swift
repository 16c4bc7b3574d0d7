import MeridianCore
import NIOCore

extension NIOCore.SocketAddress {
    /// The IP address of an IPv4 or IPv6 socket address.
    var meridianAddress: IPAddress? {
        switch self {
        case .v4(let address):
            return .v4(UInt32(bigEndian: address.address.sin_addr.s_addr))
        case .v6(let address):
            let bits = withUnsafeBytes(of: address.address.sin6_addr) { bytes in
                bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
            }
            return IPAddress.v6(bits).unmapped
        default:
            return nil
        }
    }
}
