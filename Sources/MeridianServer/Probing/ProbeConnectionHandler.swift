import NIOCore

/// Reads probe responses off a keep-alive connection with `HTTPProbeResponseParser` and reports
/// them (or the connection's end) to its owner. Lives on the connection's event loop.
final class ProbeConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// What the handler reports to the prober that owns the connection.
    enum Event {
        case response(ProbeResponse)
        case failed(ProbeResponseError)
        case closed
    }

    private var parser: HTTPProbeResponseParser
    private var cumulation: ByteBuffer?
    private let onEvent: (Event) -> Void

    init(checksBody: Bool, headRequest: Bool, loadHeader: String?, onEvent: @escaping (Event) -> Void) {
        self.parser = HTTPProbeResponseParser(keepsBody: checksBody, headRequest: headRequest, loadHeader: loadHeader)
        self.onEvent = onEvent
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if cumulation == nil {
            cumulation = incoming
        } else {
            cumulation!.writeBuffer(&incoming)
        }
        do {
            if let response = try parser.parse(&cumulation!) {
                if cumulation!.readableBytes > 0 {
                    // Bytes after a complete response: the connection cannot be trusted for the next probe.
                    var closing = response
                    closing.keepAlive = false
                    onEvent(.response(closing))
                    context.close(promise: nil)
                } else {
                    cumulation = nil
                    onEvent(.response(response))
                }
            } else if cumulation!.readableBytes == 0 {
                cumulation = nil
            } else {
                cumulation!.discardReadBytes()
            }
        } catch {
            cumulation = nil
            onEvent(.failed(error))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let response = try? parser.connectionClosed() {
            onEvent(.response(response))
        }
        onEvent(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
