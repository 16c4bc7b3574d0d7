import Logging
import MeridianCore
import MeridianHTTP
import NIOCore
import ServiceLifecycle

/// A director's HTTP redirect listener, separate from the API listener: its own lean HTTP/1.1 path
/// (a strict head parser of our own, prebuilt responses, epoll loops on plain sockets: see
/// `RedirectWorkers`). Connections are bounded in number and closed when idle or too slow to send
/// a head. With `tls`, an HTTPS listener beside it is served by the same loops (`TLSServerContext`).
public struct RedirectServer: ServiceLifecycle.Service {
    /// The HTTPS listener: where it listens, its certificates (those `certificates.redirect` holds
    /// at each new connection), and whom to tell its port.
    public struct TLSListener: Sendable {
        public var address: MeridianCore.SocketAddress
        public var certificates: DirectorCertificates
        public var onListening: @Sendable (Int) async -> Void

        public init(address: MeridianCore.SocketAddress, certificates: DirectorCertificates,
                    onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
            self.address = address
            self.certificates = certificates
            self.onListening = onListening
        }
    }

    private let answering: RedirectAnswering
    private let address: MeridianCore.SocketAddress
    private let logger: Logger
    private let threads: Int
    private let limits: RedirectEventLoop.Limits
    private let onListening: @Sendable (Int) async -> Void
    private let tls: TLSListener?

    /// `threads` epoll loops serve at most `maxConnections` connections, closing those idle for
    /// `idleTimeout` or slower than `headTimeout` to send a head.
    public init(answering: RedirectAnswering, address: MeridianCore.SocketAddress, logger: Logger,
                threads: Int = defaultThreads, maxConnections: Int = 16_384,
                idleTimeout: Duration = .seconds(30), headTimeout: Duration = .seconds(10), tls: TLSListener? = nil,
                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.tls = tls
        self.answering = answering
        self.address = address
        self.logger = logger
        self.threads = threads
        limits = RedirectEventLoop.Limits(maxConnections: maxConnections, idleTimeout: idleTimeout.wholeMilliseconds,
                                          headTimeout: headTimeout.wholeMilliseconds, parser: HTTPRequestHeadParser())
        self.onListening = onListening
    }

    /// Half the cores (at least one): the DNS threads and the probes share the machine, and on this
    /// project's 2-core benchmark box one redirect thread beat two (see the README's figures).
    public static var defaultThreads: Int { max(1, System.coreCount / 2) }

    public func run() async throws {
        let workers = try RedirectWorkers(address: address, tls: tls.map { ($0.address, $0.certificates) }, threads: threads)
        do {
            try workers.start(answering: answering, limits: limits)
        } catch {
            await workers.stop()
            throw error
        }
        logger.notice("redirects listening", metadata: ["address": "\(address.ip)", "port": "\(workers.port)",
                                                        "threads": "\(threads)"])
        if let tls, let port = workers.tlsPort {
            logger.notice("HTTPS redirects listening", metadata: ["address": "\(tls.address.ip)", "port": "\(port)",
                                                              "certificates": "\(tls.certificates.redirect?.certificates.count ?? 0)"])
            await tls.onListening(port)
        }
        await onListening(workers.port)
        try? await gracefulShutdown()
        await workers.stop()
    }
}

extension Duration {
    /// This duration in whole milliseconds.
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
