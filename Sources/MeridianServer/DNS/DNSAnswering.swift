import MeridianCore
import MeridianDNS
import NIOConcurrencyHelpers
import NIOCore

/// What the DNS listeners answer with: the responder for the configuration in force, the latest
/// steering snapshot and the fast path prebuilt from both, replaced as a whole when they change,
/// plus the counters.
public final class DNSAnswering: Sendable {
    private struct State {
        var responder: DNSResponder
        var snapshot: SteeringSnapshot
        var fastPath: DNSFastPath

        init(responder: DNSResponder, snapshot: SteeringSnapshot) {
            self.responder = responder
            self.snapshot = snapshot
            self.fastPath = DNSFastPath(responder: responder, snapshot: snapshot)
        }
    }

    private let state: NIOLockedValueBox<State>
    public let statistics = DNSStatistics()

    init(responder: DNSResponder, snapshot: SteeringSnapshot) {
        state = NIOLockedValueBox(State(responder: responder, snapshot: snapshot))
    }

    func update(responder: DNSResponder) {
        let snapshot = state.withLockedValue { $0.snapshot }
        let next = State(responder: responder, snapshot: snapshot)
        state.withLockedValue { $0 = next }
    }

    func update(snapshot: SteeringSnapshot) {
        let responder = state.withLockedValue { $0.responder }
        let next = State(responder: responder, snapshot: snapshot)
        state.withLockedValue { $0 = next }
    }

    /// The response bytes for one query, or `nil` when it is dropped. The common query is answered
    /// from the fast path's prebuilt bytes; everything else by the responder.
    func respond(to packet: ByteBuffer, from client: IPAddress, over transport: DNSResponder.Transport,
                 allocator: ByteBufferAllocator) -> ByteBuffer? {
        let current = state.withLockedValue { $0 }
        let capacity = transport == .udp ? DNSResponder.maximumUDPPayload : 4096
        var output = allocator.buffer(capacity: capacity)
        var fast: DNSFastPath.Answer?
        _ = packet.withUnsafeReadableBytes { query in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { destination in
                fast = current.fastPath.answer(query, from: client, over: transport, into: destination)
                return fast?.length ?? 0
            }
        }
        if let fast {
            statistics.count(type: fast.queryType, code: .noError, region: fast.region, usedSubnet: fast.usedClientSubnet,
                             transport: transport)
            return output
        }
        guard let response = current.responder.respond(to: packet, from: client, over: transport, snapshot: current.snapshot) else {
            return nil
        }
        statistics.count(type: response.queryType, code: response.responseCode, region: response.region,
                         usedSubnet: response.usedClientSubnet, transport: transport)
        return response.bytes
    }
}
