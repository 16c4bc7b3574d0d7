import Logging
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A director's DNS listeners: UDP and TCP on the same address and port, answering through
/// `DNSAnswering`. UDP runs on `DNSDatagramWorkers` (a thread per SO_REUSEPORT socket, recvmmsg/sendmmsg); TCP on
/// NIO, with connections bounded in number (in all and per client), closed when idle, when their answers
/// cannot be sent for a while and at a maximum age; a connection reads only while its answers can be sent
/// (`DNSStreamHandler`).
public struct DNSServer: ServiceLifecycle.Service {
    /// The bounds of DNS over TCP.
    public struct TCPLimits: Sendable {
        /// Connections open at once (`ConnectionBudget` derives it from the descriptor limit).
        public var maxConnections: Int
        /// Connections open at once from one IPv4 address or IPv6 /64.
        public var maxConnectionsPerClient: Int
        /// A connection with no query for this long is closed.
        public var idleTimeout: TimeAmount
        /// A connection whose answers cannot be sent for this long (its client does not read) is closed.
        public var writeTimeout: TimeAmount
        /// Every connection is closed at this age.
        public var lifetime: TimeAmount
        /// Answers written but not yet taken by the kernel, in bytes, above which nothing more is
        /// answered or read (and below `low` of which both resume).
        public var waterMark: ChannelOptions.Types.WriteBufferWaterMark

        public init(maxConnections: Int = 1024, maxConnectionsPerClient: Int = 64, idleTimeout: TimeAmount = .seconds(10),
                    writeTimeout: TimeAmount = .seconds(10), lifetime: TimeAmount = .minutes(2),
                    waterMark: ChannelOptions.Types.WriteBufferWaterMark = .init(low: 32 * 1024, high: 64 * 1024)) {
            self.maxConnections = maxConnections
            self.maxConnectionsPerClient = maxConnectionsPerClient
            self.idleTimeout = idleTimeout
            self.writeTimeout = writeTimeout
            self.lifetime = lifetime
            self.waterMark = waterMark
        }
    }

    private let answering: DNSAnswering
    private let address: MeridianCore.SocketAddress
    private let group: any EventLoopGroup
    private let logger: Logger
    private let tcp: TCPLimits
    private let onListening: @Sendable (Int) async -> Void
    private let udpThreads: Int

    public init(answering: DNSAnswering, address: MeridianCore.SocketAddress, logger: Logger,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                tcp: TCPLimits = TCPLimits(), udpThreads: Int = System.coreCount,
                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.udpThreads = udpThreads
        self.answering = answering
        self.address = address
        self.group = group
        self.logger = logger
        self.tcp = tcp
        self.onListening = onListening
    }

    public func run() async throws {
        let (udp, stream) = try await bind()
        udp.start(answering: answering)
        logger.notice("DNS listening", metadata: ["address": "\(address.ip)", "port": "\(udp.port)",
                                                  "udp-threads": "\(udpThreads)", "tcp-connections": "\(tcp.maxConnections)",
                                                  "tcp-connections-per-client": "\(tcp.maxConnectionsPerClient)"])
        await onListening(udp.port)
        try? await gracefulShutdown()
        await udp.stop()
        try? await stream.close()
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
        let limits = tcp
        let logger = self.logger
        let quota = NIOLockedValueBox(ConnectionQuota(total: limits.maxConnections, perClient: limits.maxConnectionsPerClient))
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AcceptPauseHandler(logger: logger)) }
            }
            .childChannelOption(.writeBufferWaterMark, value: limits.waterMark)
            .childChannelInitializer { channel in
                guard let client = channel.remoteAddress?.meridianAddress,
                      quota.withLockedValue({ $0.admit(client) }) else { return channel.close() }
                channel.closeFuture.whenComplete { _ in quota.withLockedValue { $0.release(client) } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout))
                    try channel.pipeline.syncOperations.addHandler(
                        DNSStreamHandler(answering: answering, writeTimeout: limits.writeTimeout, lifetime: limits.lifetime))
                }
            }
            .bind(host: address.ip.description, port: port).get()
    }
}
