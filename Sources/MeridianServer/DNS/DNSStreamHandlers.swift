import MeridianCore
import MeridianDNS
import NIOCore

/// Splits a TCP stream into DNS messages, each preceded by its two-byte length (RFC 1035 4.2.2).
struct DNSStreamFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        context.fireChannelRead(Self.wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}

/// Answers each framed query of a TCP connection in order (pipelined queries are fine), and closes
/// the connection when it has been idle too long.
final class DNSStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let answering: DNSAnswering
    private var client: IPAddress?
    private var pending = false

    init(answering: DNSAnswering) {
        self.answering = answering
    }

    func channelActive(context: ChannelHandlerContext) {
        client = context.remoteAddress?.meridianAddress
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let client, let response = answering.respond(to: unwrapInboundIn(data), from: client, over: .tcp,
                                                           allocator: context.channel.allocator) else {
            // A packet not worth answering (shorter than a header): the stream cannot be trusted.
            context.close(promise: nil)
            return
        }
        var framed = context.channel.allocator.buffer(capacity: response.readableBytes + 2)
        framed.writeInteger(UInt16(response.readableBytes))
        framed.writeImmutableBuffer(response)
        context.write(wrapOutboundOut(framed), promise: nil)
        pending = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pending {
            pending = false
            context.flush()
        }
        context.fireChannelReadComplete()
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
