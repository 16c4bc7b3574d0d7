import Logging
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A director's DNS listeners: UDP and TCP on the same address and port, answering through
/// `DNSAnswering`. UDP runs on `DNSDatagramWorkers` (a thread per SO_REUSEPORT socket, recvmmsg/sendmmsg); TCP on
/// NIO, with connections bounded in number and closed when idle.
public struct DNSServer: ServiceLifecycle.Service {
    private let answering: DNSAnswering
    private let address: MeridianCore.SocketAddress
    private let group: any EventLoopGroup
    private let logger: Logger
    private let maxConnections: Int
    private let idleTimeout: TimeAmount
    private let onListening: @Sendable (Int) async -> Void
    private let udpThreads: Int

    public init(answering: DNSAnswering, address: MeridianCore.SocketAddress, logger: Logger,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxConnections: Int = 1024,
                idleTimeout: TimeAmount = .seconds(10), udpThreads: Int = System.coreCount,
                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.udpThreads = udpThreads
        self.answering = answering
        self.address = address
        self.group = group
        self.logger = logger
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.onListening = onListening
    }

    public func run() async throws {
        let (udp, tcp) = try await bind()
        udp.start(answering: answering)
        logger.notice("DNS listening", metadata: ["address": "\(address.ip)", "port": "\(udp.port)",
                                                  "udp-threads": "\(udpThreads)"])
        await onListening(udp.port)
        try? await gracefulShutdown()
        await udp.stop()
        try? await tcp.close()
    }

    /// UDP and TCP on the same port. With port 0 the system picks the first UDP socket's port, which
    /// the other sockets or TCP may find taken; then another port is tried (a few times).
    private func bind() async throws -> (DNSDatagramWorkers, any Channel) {
        var attempt = 1
        while true {
            var udp: DNSDatagramWorkers?
            do {
                let workers = try DNSDatagramWorkers(address: address, threads: udpThreads)
                udp = workers
                return (workers, try await bindTCP(port: workers.port))
            } catch {
                await udp?.stop()
                guard address.port == 0, attempt < 10 else { throw error }
                attempt += 1
            }
        }
    }

    private func bindTCP(port: Int) async throws -> any Channel {
        let answering = self.answering
        let open = NIOLockedValueBox(0)
        let maxConnections = self.maxConnections
        let idleTimeout = self.idleTimeout
        let logger = self.logger
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AcceptPauseHandler(logger: logger)) }
            }
            .childChannelInitializer { channel in
                let admitted = open.withLockedValue { count -> Bool in
                    guard count < maxConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSStreamFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(DNSStreamHandler(answering: answering))
                }
            }
            .bind(host: address.ip.description, port: port).get()
    }
}
