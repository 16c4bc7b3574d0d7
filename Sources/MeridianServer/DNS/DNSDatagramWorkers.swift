#if canImport(Glibc)
import Glibc
#endif
import CMeridianSockets
import Foundation
import MeridianCore
import MeridianDNS
import NIOConcurrencyHelpers

/// DNS over UDP off the event loops: one thread per SO_REUSEPORT socket, each looping over blocking
/// `recvmmsg` and `sendmmsg` with buffers allocated once. A batch reads the answering state once,
/// the fast path writes answers straight into the send buffers, and nothing is allocated per query
/// on that path. Counters are per thread.
final class DNSDatagramWorkers: Sendable {
    /// The port the sockets are bound to (the one asked for, or the one the system chose for 0).
    let port: Int
    private let sockets: [Int32]
    private let stopping = NIOLockedValueBox(false)
    private let finished = DispatchGroup()

    static let batch = 32
    static let receiveSize = 4096
    static let sendSize = DNSResponder.maximumUDPPayload

    /// Binds `count` sockets to `address` (port 0: a port the system chooses, shared by all).
    init(address: MeridianCore.SocketAddress, count: Int) throws {
        var sockets: [Int32] = []
        var port = Int(address.port)
        do {
            for _ in 0..<max(1, count) {
                let socket = try Self.bind(address, port: port)
                sockets.append(socket)
                if port == 0 { port = Self.boundPort(socket) }
            }
        } catch {
            sockets.forEach { close($0) }
            throw error
        }
        self.sockets = sockets
        self.port = port
    }

    /// Starts one thread per socket, answering through `answering`.
    func start(answering: DNSAnswering) {
        for socket in sockets {
            let shard = answering.statistics.makeShard()
            finished.enter()
            let thread = Thread { [stopping, finished] in
                Self.serve(socket: socket, answering: answering, shard: shard, stopping: stopping)
                finished.leave()
            }
            thread.name = "meridian-dns-udp"
            thread.start()
        }
    }

    /// Stops the threads (each notices within its 200 ms receive timeout) and closes the sockets.
    func stop() async {
        stopping.withLockedValue { $0 = true }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            finished.notify(queue: .global()) { continuation.resume() }
        }
        sockets.forEach { close($0) }
    }

    // MARK: The loop

    private static func serve(socket: Int32, answering: DNSAnswering, shard: DNSStatistics.Shard,
                              stopping: NIOLockedValueBox<Bool>) {
        let receive = UnsafeMutableRawBufferPointer.allocate(byteCount: batch * receiveSize, alignment: 16)
        let send = UnsafeMutableRawBufferPointer.allocate(byteCount: batch * sendSize, alignment: 16)
        let addresses = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: batch)
        let receiveVectors = UnsafeMutablePointer<iovec>.allocate(capacity: batch)
        let sendVectors = UnsafeMutablePointer<iovec>.allocate(capacity: batch)
        let received = UnsafeMutablePointer<CMeridianMessage>.allocate(capacity: batch)
        let replies = UnsafeMutablePointer<CMeridianMessage>.allocate(capacity: batch)
        defer {
            receive.deallocate(); send.deallocate(); addresses.deallocate(); receiveVectors.deallocate()
            sendVectors.deallocate(); received.deallocate(); replies.deallocate()
        }
        for index in 0..<batch {
            receiveVectors[index] = iovec(iov_base: receive.baseAddress! + index * receiveSize, iov_len: receiveSize)
        }
        while !stopping.withLockedValue({ $0 }) {
            for index in 0..<batch {
                received[index] = CMeridianMessage()
                received[index].msg_hdr.msg_name = UnsafeMutableRawPointer(addresses + index)
                received[index].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                received[index].msg_hdr.msg_iov = receiveVectors + index
                received[index].msg_hdr.msg_iovlen = 1
            }
            let count = CMeridian_recvmmsg(socket, received, UInt32(batch), Int32(MSG_WAITFORONE))
            guard count > 0 else { continue }  // the receive timeout, or an interrupted call
            let current = answering.current
            var counter = BatchCounter(regions: current.fastPath.regionNames)
            var replyCount = 0
            for index in 0..<Int(count) {
                guard let client = clientAddress(addresses + index) else { continue }
                let query = UnsafeRawBufferPointer(start: receive.baseAddress! + index * receiveSize,
                                                   count: Int(received[index].msg_len))
                let output = UnsafeMutableRawBufferPointer(start: send.baseAddress! + replyCount * sendSize, count: sendSize)
                guard let (length, counted) = current.respond(to: query, from: client, over: .udp, into: output) else {
                    continue
                }
                counter.count(counted)
                sendVectors[replyCount] = iovec(iov_base: output.baseAddress, iov_len: length)
                replies[replyCount] = CMeridianMessage()
                replies[replyCount].msg_hdr.msg_name = UnsafeMutableRawPointer(addresses + index)
                replies[replyCount].msg_hdr.msg_namelen = received[index].msg_hdr.msg_namelen
                replies[replyCount].msg_hdr.msg_iov = sendVectors + replyCount
                replies[replyCount].msg_hdr.msg_iovlen = 1
                replyCount += 1
            }
            counter.flush(into: shard)
            var sent = 0
            while sent < replyCount {
                let result = CMeridian_sendmmsg(socket, replies + sent, UInt32(replyCount - sent), 0)
                if result <= 0 {
                    if errno == EINTR { continue }
                    sent += 1  // skip the reply the kernel refused (an unreachable client, say)
                } else {
                    sent += Int(result)
                }
            }
        }
    }

    private static func clientAddress(_ storage: UnsafeMutablePointer<sockaddr_storage>) -> IPAddress? {
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

    // MARK: Sockets

    /// Why a socket could not be set up.
    struct SocketError: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "\(operation): \(String(cString: strerror(code)))" }
    }

    private static func bind(_ address: MeridianCore.SocketAddress, port: Int) throws -> Int32 {
        let family = address.ip.family == .v4 ? AF_INET : AF_INET6
        let socket = Glibc.socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw SocketError(operation: "socket", code: errno) }
        var one: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(socket, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let result: Int32
        switch address.ip {
        case .v4(let bits):
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = UInt16(port).bigEndian
            socketAddress.sin_addr.s_addr = bits.bigEndian
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(let bits):
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { bytes in
                for index in 0..<16 { bytes[index] = UInt8(truncatingIfNeeded: bits >> (120 - 8 * index)) }
            }
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        guard result == 0 else {
            let code = errno
            close(socket)
            throw SocketError(operation: "bind \(address.ip) port \(port)", code: code)
        }
        return socket
    }

    private static func boundPort(_ socket: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return withUnsafePointer(to: &storage) { pointer in
            Int(UInt16(bigEndian: pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }))
        }
    }
}
