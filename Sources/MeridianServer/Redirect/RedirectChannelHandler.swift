#if canImport(Glibc)
import Glibc
#endif
import MeridianCore
import MeridianHTTP
import NIOCore

/// What the connections of one event loop share: the current Date header line and the counters.
/// Confined to its event loop.
final class RedirectLoopContext {
    let shard: RedirectStatistics.Shard
    private var dateSecond = -1
    private var cachedDateLine: [UInt8] = []

    init(shard: RedirectStatistics.Shard) {
        self.shard = shard
    }

    /// The `Date:` line for now, formatted once per second.
    var dateLine: [UInt8] {
        let second = time(nil)
        if second != dateSecond {
            dateSecond = second
            cachedDateLine = HTTPDate.headerLine(secondsSinceEpoch: second)
        }
        return cachedDateLine
    }
}

/// Serves one redirect connection: reads request heads as they arrive (pipelined ones too), answers
/// each from the prebuilt responder into one output buffer, and writes it once per read batch.
/// A malformed head is answered with its 400 and the connection closed; so is a request with a
/// body (it is not read) and one that asks to close. Connections idle longer than `idleTimeout`, or
/// slower than `headTimeout` to send a head, are closed.
final class RedirectChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answering: RedirectAnswering
    private let loop: RedirectLoopContext
    private let parser: HTTPRequestHeadParser
    private let idleTimeout: TimeAmount
    private let headTimeout: TimeAmount
    private var peer: IPAddress?
    /// Bytes of a head not complete yet.
    private var pending: ByteBuffer?
    private var output: ByteBuffer
    private var closing = false
    private var lastActivity = NIODeadline.now()
    private var headStarted: NIODeadline?
    private var timer: Scheduled<Void>?

    init(answering: RedirectAnswering, loop: RedirectLoopContext, parser: HTTPRequestHeadParser,
         idleTimeout: TimeAmount, headTimeout: TimeAmount, allocator: ByteBufferAllocator) {
        self.answering = answering
        self.loop = loop
        self.parser = parser
        self.idleTimeout = idleTimeout
        self.headTimeout = headTimeout
        self.output = allocator.buffer(capacity: 1024)
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress?.meridianAddress
        scheduleCheck(context: context, in: idleTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing, let peer else { return }
        var input = unwrapInboundIn(data)
        if var buffered = pending {
            buffered.writeBuffer(&input)
            input = buffered
            pending = nil
        }
        lastActivity = .now()
        let responder = answering.current
        let dateLine = loop.dateLine
        while input.readableBytes > 0, !closing {
            let outcome = input.withUnsafeReadableBytes { parser.parse($0) }
            switch outcome {
            case .incomplete:
                if headStarted == nil { headStarted = lastActivity }
                pending = input
                return
            case .invalid(let error):
                count(RedirectResponder.respond(to: error, dateLine: dateLine, into: &output), responder: responder)
                closing = true
            case .complete(let head):
                headStarted = nil
                let answered = input.withUnsafeReadableBytes { bytes in
                    responder.respond(to: head, in: bytes, peer: peer, dateLine: dateLine, into: &output)
                }
                count(answered, responder: responder)
                input.moveReaderIndex(forwardBy: head.length)
                if answered.close { closing = true }
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if output.readableBytes > 0 {
            let response = output
            output.clear()
            if closing {
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(response)).whenComplete { _ in channel.close(promise: nil) }
            } else {
                context.writeAndFlush(wrapOutboundOut(response), promise: nil)
            }
        } else if closing {
            context.close(promise: nil)
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func count(_ outcome: RedirectResponder.Outcome, responder: RedirectResponder) {
        loop.shard.count(outcome, responder: responder)
    }

    /// Closes the connection when it has been idle too long or a head is taking too long to arrive;
    /// otherwise checks again when the earlier of the two could next expire.
    private func scheduleCheck(context: ChannelHandlerContext, in delay: TimeAmount) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = loopBound.value
            let now = NIODeadline.now()
            if now - handler.lastActivity >= handler.idleTimeout
                || handler.headStarted.map({ now - $0 >= handler.headTimeout }) == true {
                context.close(promise: nil)
                return
            }
            var next = handler.lastActivity + handler.idleTimeout - now
            if let started = handler.headStarted { next = min(next, started + handler.headTimeout - now) }
            handler.scheduleCheck(context: context, in: max(next, .milliseconds(10)))
        }
    }
}
