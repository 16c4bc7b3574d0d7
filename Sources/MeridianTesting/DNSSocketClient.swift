#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MeridianDNS
import NIOCore

/// A blocking DNS client over real sockets on 127.0.0.x, for tests and benchmarks that send what no
/// DNS library would: oversized, malformed or endless queries. Every call is bounded by `timeout`.
public enum DNSSocketClient {
    /// Sends `query` over UDP from `source` and returns the first reply, or `nil` after `timeout`.
    public static func udp(_ query: [UInt8], port: Int, source: String = "127.0.0.1", timeout: Duration = .seconds(2)) -> [UInt8]? {
        let socket = open(Int32(SOCK_DGRAM.rawValue), source: source, timeout: timeout)
        defer { close(socket) }
        var address = loopback(port: port)
        let sent = query.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socket, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == query.count else { return nil }
        return receive(socket, limit: 65535)
    }

    /// Receives one datagram (or one read of a stream) of at most `limit` bytes, or `nil` on timeout.
    public static func receive(_ socket: Int32, limit: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, limit, 0) }
        return count > 0 ? Array(buffer[0..<count]) : nil
    }

    /// A TCP connection to the director from `source`.
    public static func connectTCP(port: Int, source: String = "127.0.0.1", timeout: Duration = .seconds(2)) -> Int32? {
        let socket = open(Int32(SOCK_STREAM.rawValue), source: source, timeout: timeout)
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(socket)
            return nil
        }
        return socket
    }

    /// Sends `query` framed over a new TCP connection and returns the framed answer's message, or
    /// `nil` when the connection closes (or times out) first.
    public static func tcp(_ query: [UInt8], port: Int, source: String = "127.0.0.1", timeout: Duration = .seconds(2)) -> [UInt8]? {
        guard let socket = connectTCP(port: port, source: source, timeout: timeout) else { return nil }
        defer { close(socket) }
        let framed = [UInt8(truncatingIfNeeded: query.count >> 8), UInt8(truncatingIfNeeded: query.count)] + query
        guard sendAll(framed, on: socket) else { return nil }
        return readFrame(socket)
    }

    /// Reads one length-prefixed message from a TCP connection.
    public static func readFrame(_ socket: Int32) -> [UInt8]? {
        guard let prefix = readExactly(2, from: socket) else { return nil }
        return readExactly(Int(prefix[0]) << 8 | Int(prefix[1]), from: socket)
    }

    public static func sendAll(_ bytes: [UInt8], on socket: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private static func readExactly(_ count: Int, from socket: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        while bytes.count < count {
            guard let piece = receive(socket, limit: count - bytes.count) else { return nil }
            bytes += piece
        }
        return bytes
    }

    /// A socket bound to `source` with send and receive timeouts.
    public static func open(_ type: Int32, source: String, timeout: Duration) -> Int32 {
        let socket = Glibc.socket(AF_INET, type, 0)
        let (seconds, attoseconds) = timeout.components
        var interval = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        _ = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return socket
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        return address
    }

    /// The wire form of a plain query for `name` and `type`.
    public static func query(_ name: String, _ type: RecordType = .a, id: UInt16 = 0x4242, edns: EDNS? = nil) -> [UInt8] {
        let message = DNSMessage(header: DNSHeader(id: id, recursionDesired: true),
                                 questions: [Question(name: DNSName(name)!, type: type)], edns: edns)
        return Array(message.encoded().readableBytesView)
    }
}
