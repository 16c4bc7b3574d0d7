import MeridianCore
import MeridianDNS
import NIOCore

/// Answers the DNS messages of one TCP connection in order (pipelined queries are fine), without
/// letting a client that does not read its answers grow the director's memory:
///
/// 1. Messages are answered only while the channel is writable (its unsent answers are under the
///    high water mark); the rest wait, framed, in what was already read.
/// 2. While the channel is not writable, nothing more is read: the kernel's buffers fill and the
///    client's own sends stop.
/// 3. A channel that stays unwritable for `writeTimeout` is closed, and so is every connection
///    once it is `lifetime` old, however busy.
/// 4. A message too short to have a header means the stream cannot be trusted: the connection closes.
final class DNSStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answering: DNSAnswering
    private let writeTimeout: TimeAmount
    private let lifetime: TimeAmount
    private var client: IPAddress?
    private var framer = DNSStreamFramer()
    private var readWanted = false
    private var stalled: Scheduled<Void>?
    private var expiry: Scheduled<Void>?

    init(answering: DNSAnswering, writeTimeout: TimeAmount, lifetime: TimeAmount) {
        self.answering = answering
        self.writeTimeout = writeTimeout
        self.lifetime = lifetime
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { started(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        started(context)
        context.fireChannelActive()
    }

    private func started(_ context: ChannelHandlerContext) {
        guard client == nil else { return }
        client = context.remoteAddress?.meridianAddress
        let channel = context.channel
        expiry = context.eventLoop.scheduleTask(in: lifetime) { channel.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        stalled?.cancel()
        expiry?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        framer.append(unwrapInboundIn(data))
        answerWhileWritable(context)
    }

    /// Rule 1: answers the whole messages read so far while the answers can be sent, then flushes.
    private func answerWhileWritable(_ context: ChannelHandlerContext) {
        var wrote = false
        while context.channel.isWritable, let query = framer.next() {
            guard let client,
                  let response = answering.respond(to: query, from: client, over: .tcp, allocator: context.channel.allocator),
                  let length = UInt16(exactly: response.readableBytes) else {
                context.close(promise: nil)  // rule 4
                return
            }
            var framed = context.channel.allocator.buffer(capacity: response.readableBytes + 2)
            framed.writeInteger(length)
            framed.writeImmutableBuffer(response)
            context.write(wrapOutboundOut(framed), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
        if !context.channel.isWritable { startStallTimer(context) }
    }

    /// Rule 2: a read is passed on only while the channel is writable; otherwise it waits.
    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            readWanted = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stalled?.cancel()
            stalled = nil
            answerWhileWritable(context)
            if context.channel.isWritable && readWanted {
                readWanted = false
                context.read()
            }
        } else {
            startStallTimer(context)
        }
        context.fireChannelWritabilityChanged()
    }

    /// Rule 3: closes the connection unless it becomes writable within `writeTimeout`.
    private func startStallTimer(_ context: ChannelHandlerContext) {
        guard stalled == nil else { return }
        let channel = context.channel
        stalled = context.eventLoop.scheduleTask(in: writeTimeout) { channel.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
