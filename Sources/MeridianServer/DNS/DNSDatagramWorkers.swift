#if canImport(Glibc)
import Glibc
#endif
import CMeridianSockets
import MeridianCore
import MeridianDNS

/// DNS over UDP off the event loops: one thread per SO_REUSEPORT socket (one per core by default),
/// each looping over blocking `recvmmsg` and `sendmmsg` with buffers allocated once. A small BPF
/// program hands each datagram to the socket of the CPU that processes it (modulo the number of
/// sockets) rather than to the one its address hashes to: on loopback that is the sender's CPU, so a
/// single busy client feeds one thread (no hand-offs between threads) and clients on every CPU feed
/// every thread, where hashing could load one thread with most clients while another idled. A batch
/// reads the answering state once, the fast path writes answers straight into the send buffers, and
/// nothing is allocated per query on that path. Counters are per thread. Each answer then passes
/// response-rate limiting (`ResponseRateLimiter`): answered, sent truncated, or dropped.
final class DNSDatagramWorkers: Sendable {
    /// The port the sockets are bound to (the one asked for, or the one the system chose for 0).
    let port: Int
    private let sockets: [Int32]
    private let workers = WorkerThreads()

    static let batch = 32
    static let receiveSize = 4096
    static let sendSize = DNSResponder.maximumUDPPayload

    /// Binds `threads` sockets to `address` (port 0: a port the system chooses, shared by all).
    init(address: MeridianCore.SocketAddress, threads: Int) throws {
        var sockets: [Int32] = []
        var address = address
        do {
            for _ in 0..<max(1, threads) {
                let socket = try RawSocket.bind(address, type: RawSocket.datagram, reusePort: true, receiveTimeout: 200_000)
                sockets.append(socket)
                if address.port == 0 { address = MeridianCore.SocketAddress(ip: address.ip, port: UInt16(RawSocket.boundPort(socket))) }
            }
        } catch {
            sockets.forEach { close($0) }
            throw error
        }
        // Without the program (an old kernel), datagrams are spread by address hash: still correct.
        if sockets.count > 1 { _ = CMeridian_steerByCPU(sockets[0], UInt32(sockets.count)) }
        self.sockets = sockets
        port = Int(address.port)
    }

    /// Starts one thread per socket, answering through `answering`.
    func start(answering: DNSAnswering) {
        for socket in sockets {
            let shard = answering.statistics.makeShard()
            workers.start(name: "meridian-dns") { [workers] in
                Self.serve(socket: socket, answering: answering, shard: shard, workers: workers)
            }
        }
    }

    /// Stops the threads (each notices within its 200 ms receive timeout) and closes the sockets.
    func stop() async {
        await workers.stop()
        sockets.forEach { close($0) }
    }

    // MARK: The loop

    private static func serve(socket: Int32, answering: DNSAnswering, shard: DNSStatistics.Shard, workers: WorkerThreads) {
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
        var counter = BatchCounter()
        while !workers.isStopping {
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
            let second = ResponseRateLimiter.currentSecond()
            counter.begin(regions: current.fastPath.regionNames)
            var replyCount = 0
            for index in 0..<Int(count) {
                guard let client = RawSocket.address(of: addresses + index) else { continue }
                let query = UnsafeRawBufferPointer(start: receive.baseAddress! + index * receiveSize,
                                                   count: Int(received[index].msg_len))
                let output = UnsafeMutableRawBufferPointer(start: send.baseAddress! + replyCount * sendSize, count: sendSize)
                guard let (answered, counted) = current.respond(to: query, from: client, over: .udp, into: output) else {
                    continue
                }
                var length = answered
                if current.rateLimit.isOn {
                    switch answering.rateLimiter.action(for: client, second: second, limit: current.rateLimit) {
                    case .answer: break
                    case .drop: continue
                    case .slip:
                        guard let truncated = TruncatedAnswer.write(for: query, into: output) else { continue }
                        length = truncated
                    }
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
}
