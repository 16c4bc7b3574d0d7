import Logging
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A director's DNS listeners: UDP and TCP on the same address and port, answering through
/// `DNSAnswering`. TCP connections are bounded in number and closed when idle.
public struct DNSServer: ServiceLifecycle.Service {
    private let answering: DNSAnswering
    private let address: MeridianCore.SocketAddress
    private let group: any EventLoopGroup
    private let logger: Logger
    private let maxConnections: Int
    private let idleTimeout: TimeAmount
    private let onListening: @Sendable (Int) async -> Void

    public init(answering: DNSAnswering, address: MeridianCore.SocketAddress, logger: Logger,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxConnections: Int = 1024,
                idleTimeout: TimeAmount = .seconds(10), onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.answering = answering
        self.address = address
        self.group = group
        self.logger = logger
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.onListening = onListening
    }

    public func run() async throws {
        let udp = try await bindUDP(port: Int(address.port))
        let port = udp.localAddress?.port ?? Int(address.port)
        let tcp: any Channel
        do {
            tcp = try await bindTCP(port: port)
        } catch {
            try? await udp.close()
            throw error
        }
        logger.notice("DNS listening", metadata: ["udp": "\(udp.localAddress.map { "\($0)" } ?? "?")", "tcp": "\(port)"])
        await onListening(port)
        try? await gracefulShutdown()
        try? await udp.close()
        try? await tcp.close()
    }

    private func bindUDP(port: Int) async throws -> any Channel {
        let answering = self.answering
        return try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.datagramVectorReadMessageCount, value: 32)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 2048))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DNSDatagramHandler(answering: answering))
                }
            }
            .bind(host: address.ip.description, port: port).get()
    }

    private func bindTCP(port: Int) async throws -> any Channel {
        let answering = self.answering
        let open = NIOLockedValueBox(0)
        let maxConnections = self.maxConnections
        let idleTimeout = self.idleTimeout
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
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
