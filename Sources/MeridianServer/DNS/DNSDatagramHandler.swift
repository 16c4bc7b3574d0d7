import MeridianCore
import MeridianDNS
import NIOCore

/// Answers DNS over UDP: one datagram in, at most one out, flushed once per read batch.
final class DNSDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let answering: DNSAnswering
    private var pending = false

    init(answering: DNSAnswering) {
        self.answering = answering
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let client = envelope.remoteAddress.meridianAddress,
              let response = answering.respond(to: envelope.data, from: client, over: .udp,
                                               allocator: context.channel.allocator) else { return }
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: response)), promise: nil)
        pending = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if pending {
            pending = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A failed send to one client (ICMP unreachable, for instance) must not stop the listener.
    }
}

extension NIOCore.SocketAddress {
    /// The IP address of an IPv4 or IPv6 socket address.
    var meridianAddress: IPAddress? {
        switch self {
        case .v4(let address):
            return .v4(UInt32(bigEndian: address.address.sin_addr.s_addr))
        case .v6(let address):
            let bits = withUnsafeBytes(of: address.address.sin6_addr) { bytes in
                bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
            }
            return IPAddress.v6(bits).unmapped
        default:
            return nil
        }
    }
}
