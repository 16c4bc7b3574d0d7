import Logging
import MeridianCore
import MeridianHTTP
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A director's HTTP redirect listener: its own lean HTTP/1.1 path on NIO (a strict head parser of
/// our own and prebuilt responses), separate from the API listener. Connections are bounded in
/// number and closed when idle.
public struct RedirectServer: ServiceLifecycle.Service {
    private let answering: RedirectAnswering
    private let address: MeridianCore.SocketAddress
    private let group: any EventLoopGroup
    private let logger: Logger
    private let maxConnections: Int
    private let idleTimeout: TimeAmount
    private let headTimeout: TimeAmount
    private let onListening: @Sendable (Int) async -> Void

    public init(answering: RedirectAnswering, address: MeridianCore.SocketAddress, logger: Logger,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxConnections: Int = 16_384,
                idleTimeout: TimeAmount = .seconds(30), headTimeout: TimeAmount = .seconds(10),
                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.answering = answering
        self.address = address
        self.group = group
        self.logger = logger
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.headTimeout = headTimeout
        self.onListening = onListening
    }

    public func run() async throws {
        let channel = try await bind()
        let port = channel.localAddress?.port ?? Int(address.port)
        logger.notice("redirects listening", metadata: ["address": "\(address.ip)", "port": "\(port)"])
        await onListening(port)
        try? await gracefulShutdown()
        try? await channel.close()
    }

    private func bind() async throws -> any Channel {
        let answering = self.answering
        let open = NIOLockedValueBox(0)
        let maxConnections = self.maxConnections
        let idleTimeout = self.idleTimeout, headTimeout = self.headTimeout
        let parser = HTTPRequestHeadParser()
        // One context per event loop, made on that loop the first time it gets a connection.
        let contexts = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBound<RedirectLoopContext>]>([:])
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let admitted = open.withLockedValue { count -> Bool in
                    guard count < maxConnections else { return false }
                    count += 1
                    return true
                }
                guard admitted else { return channel.close() }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                let eventLoop = channel.eventLoop
                return eventLoop.makeCompletedFuture {
                    let key = ObjectIdentifier(eventLoop)
                    let loop: RedirectLoopContext
                    if let existing = contexts.withLockedValue({ $0[key] }) {
                        loop = existing.value
                    } else {
                        loop = RedirectLoopContext(shard: answering.statistics.makeShard())
                        contexts.withLockedValue { $0[key] = NIOLoopBound(loop, eventLoop: eventLoop) }
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        RedirectChannelHandler(answering: answering, loop: loop, parser: parser, idleTimeout: idleTimeout,
                                               headTimeout: headTimeout, allocator: channel.allocator))
                }
            }
            .bind(host: address.ip.description, port: Int(address.port)).get()
    }
}
