#if canImport(Glibc)
import Glibc
#endif
import CMeridianSockets
import MeridianCore
import MeridianDNS

/// DNS over UDP off the event loops: threads (one per core by default) that share one socket, each
/// looping over blocking `recvmmsg` and `sendmmsg` with buffers allocated once. Sharing one socket
/// rather than one SO_REUSEPORT socket per thread keeps every thread busy: the kernel hashes each
/// client's address to one SO_REUSEPORT socket, so a handful of busy clients can load one thread
/// while another idles, whereas a blocked reader of a shared socket takes whatever arrives next
/// (the kernel wakes one waiter per datagram). A batch reads the answering state once, the fast
/// path writes answers straight into the send buffers, and nothing is allocated per query on that
/// path. Counters are per thread.
final class DNSDatagramWorkers: Sendable {
    /// The port the socket is bound to (the one asked for, or the one the system chose for 0).
    let port: Int
    private let socket: Int32
    private let threads: Int
    private let workers = WorkerThreads()

    static let batch = 32
    static let receiveSize = 4096
    static let sendSize = DNSResponder.maximumUDPPayload

    /// Binds the socket to `address` (port 0: a port the system chooses) for `threads` threads.
    init(address: MeridianCore.SocketAddress, threads: Int) throws {
        socket = try RawSocket.bind(address, type: RawSocket.datagram, receiveTimeout: 200_000)
        port = RawSocket.boundPort(socket)
        self.threads = max(1, threads)
    }

    /// Starts the threads, answering through `answering`.
    func start(answering: DNSAnswering) {
        for _ in 0..<threads {
            let shard = answering.statistics.makeShard()
            workers.start(name: "meridian-dns") { [socket, workers] in
                Self.serve(socket: socket, answering: answering, shard: shard, workers: workers)
            }
        }
    }

    /// Stops the threads (each notices within its 200 ms receive timeout) and closes the socket.
    func stop() async {
        await workers.stop()
        close(socket)
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
            counter.begin(regions: current.fastPath.regionNames)
            var replyCount = 0
            for index in 0..<Int(count) {
                guard let client = RawSocket.address(of: addresses + index) else { continue }
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
}
