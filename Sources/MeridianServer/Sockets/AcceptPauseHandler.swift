#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore

/// Stops a NIO listener from accepting for `pause` when an accept fails for want of descriptors or
/// memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), as the redirect listener does with its own sockets.
///
/// The connection that could not be taken keeps the listener readable, and NIO's own
/// `AcceptBackoffHandler` does not help on Linux: the failed accept leaves the channel's read
/// pending, so the channel stays registered for readability and epoll (level-triggered) wakes its
/// loop at once, again and again, a core spent on nothing (measured: 90% of a core). Turning
/// `autoRead` off takes the listener out of epoll until it is turned on again, and reads asked for
/// meanwhile (a connection cap freeing a place) are held back until then.
///
/// Put it first in the listener's pipeline: NIO's back-off handler, when there, swallows the error.
/// Pauses are logged as a warning, at most once a minute.
final class AcceptPauseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    /// How long a listener stops accepting (as nginx does).
    static let pause: TimeAmount = .milliseconds(500)
    static let logInterval: TimeAmount = .seconds(60)
    private let logger: Logger
    private var paused = false
    private var pausesUnlogged = 0
    private var lastLogged: NIODeadline?

    /// A handler for the listener that `logger` speaks for.
    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode), !paused,
           let options = context.channel.syncOptions, (try? options.setOption(.autoRead, value: false)) != nil {
            paused = true
            pausesUnlogged += 1
            let now = NIODeadline.now()
            if lastLogged.map({ now - $0 >= Self.logInterval }) ?? true {
                logger.warning("out of file descriptors: accepting paused", metadata: [
                    "error": "\(error)", "pauses": "\(pausesUnlogged)", "pause": "\(Self.pause)",
                ])
                lastLogged = now
                pausesUnlogged = 0
            }
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.pause) {
                self.paused = false
                try? context.channel.syncOptions?.setOption(.autoRead, value: true)
            }
        }
        context.fireErrorCaught(error)
    }

    func read(context: ChannelHandlerContext) {
        guard !paused else { return }
        context.read()
    }
}
