#if canImport(Glibc)
import Glibc
#endif
import MeridianCore

/// The redirect listener's threads: one listening socket (and the HTTPS one, when there is one),
/// watched by every thread's epoll loop (`RedirectEventLoop`) with EPOLLEXCLUSIVE, so each new
/// connection wakes one thread, which then serves it until it closes. Counters are per thread.
final class RedirectWorkers: Sendable {
    /// The port the listener is bound to (the one asked for, or the one the system chose for 0).
    let port: Int
    /// The HTTPS listener's port, when there is one.
    let tlsPort: Int?
    private let listener: Int32
    private let tls: (listener: Int32, certificates: DirectorCertificates)?
    private let threads: Int
    private let workers = WorkerThreads()

    init(address: MeridianCore.SocketAddress, tls: (address: MeridianCore.SocketAddress, certificates: DirectorCertificates)? = nil,
         threads: Int) throws {
        listener = try RawSocket.bind(address, type: RawSocket.stream)
        port = RawSocket.boundPort(listener)
        if let tls {
            let tlsListener: Int32
            do {
                tlsListener = try RawSocket.bind(tls.address, type: RawSocket.stream)
            } catch {
                close(listener)
                throw error
            }
            self.tls = (tlsListener, tls.certificates)
            tlsPort = RawSocket.boundPort(tlsListener)
        } else {
            self.tls = nil
            tlsPort = nil
        }
        self.threads = max(1, threads)
    }

    /// Starts the threads; `limits.maxConnections` is shared out between them.
    func start(answering: RedirectAnswering, limits: RedirectEventLoop.Limits) throws {
        var perThread = limits
        perThread.maxConnections = max(1, limits.maxConnections / threads)
        let loops = try (0..<threads).map { _ in
            try RedirectEventLoop(listener: listener, tls: tls, answering: answering, shard: answering.statistics.makeShard(),
                                  limits: perThread)
        }
        for loop in loops {
            workers.start(name: "meridian-http") { [workers] in loop.run(until: workers) }
        }
    }

    /// Stops the threads (each notices within 250 ms), closing their connections, then the listener.
    func stop() async {
        await workers.stop()
        close(listener)
        if let tls { close(tls.listener) }
    }
}
