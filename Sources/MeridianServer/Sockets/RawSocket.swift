#if canImport(Glibc)
import Glibc
#endif
import MeridianCore

/// The few plain-socket calls the hot listeners (DNS over UDP, redirects) make outside NIO.
enum RawSocket {
    static let datagram = Int32(SOCK_DGRAM.rawValue)
    static let stream = Int32(SOCK_STREAM.rawValue)

    /// Why a socket could not be set up.
    struct SocketError: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "\(operation): \(String(cString: strerror(code)))" }
    }

    /// A socket of `type` (`datagram` or `stream`) bound to `address` (port 0: one the system
    /// chooses), with SO_REUSEADDR (and SO_REUSEPORT when asked), and a receive timeout in
    /// microseconds when one is given. A stream socket is also listening, non-blocking.
    static func bind(_ address: MeridianCore.SocketAddress, type: Int32, reusePort: Bool = false,
                     receiveTimeout: Int? = nil, backlog: Int32 = 1024) throws -> Int32 {
        let family = address.ip.family == .v4 ? AF_INET : AF_INET6
        let stream = type == Self.stream
        let flags = stream ? Int32(SOCK_NONBLOCK.rawValue) : 0
        let socket = Glibc.socket(family, type | flags | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw SocketError(operation: "socket", code: errno) }
        var one: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if reusePort { setsockopt(socket, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
        if let receiveTimeout {
            var timeout = timeval(tv_sec: receiveTimeout / 1_000_000, tv_usec: receiveTimeout % 1_000_000)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        let result: Int32
        switch address.ip {
        case .v4(let bits):
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = address.port.bigEndian
            socketAddress.sin_addr.s_addr = bits.bigEndian
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(let bits):
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = address.port.bigEndian
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { bytes in
                for index in 0..<16 { bytes[index] = UInt8(truncatingIfNeeded: bits >> (120 - 8 * index)) }
            }
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        guard result == 0, !stream || listen(socket, backlog) == 0 else {
            let code = errno
            close(socket)
            throw SocketError(operation: "bind \(address.ip) port \(address.port)", code: code)
        }
        return socket
    }

    /// The port a socket is bound to.
    static func boundPort(_ socket: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return withUnsafePointer(to: &storage) { pointer in
            Int(UInt16(bigEndian: pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }))
        }
    }

    /// The IP address of an IPv4 or IPv6 socket address (IPv4-mapped IPv6 as IPv4).
    static func address(of storage: UnsafePointer<sockaddr_storage>) -> IPAddress? {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            return storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                .v4(UInt32(bigEndian: $0.pointee.sin_addr.s_addr))
            }
        case AF_INET6:
            return storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                let bits = withUnsafeBytes(of: address.pointee.sin6_addr) { $0.reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }
                return IPAddress.v6(bits).unmapped
            }
        default:
            return nil
        }
    }
}
