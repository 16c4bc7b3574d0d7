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

    /// The current responder, snapshot and fast path, read once per batch of queries.
    var current: Current {
        state.withLockedValue { Current(responder: $0.responder, snapshot: $0.snapshot, fastPath: $0.fastPath) }
    }

    /// The pieces of `DNSAnswering` that one batch of queries reads.
    struct Current {
        var responder: DNSResponder
        var snapshot: SteeringSnapshot
        var fastPath: DNSFastPath

        /// Writes the response to `query` into `output` and returns its length, or `nil` when the query
        /// is dropped or the response does not fit. Counts it in `statistics`.
        func respond(to query: UnsafeRawBufferPointer, from client: IPAddress, over transport: DNSResponder.Transport,
                     into output: UnsafeMutableRawBufferPointer, counting statistics: DNSStatistics.Shard) -> Int? {
            if let fast = fastPath.answer(query, from: client, over: transport, into: output) {
                statistics.count(type: fast.queryType, code: .noError, region: fast.region, usedSubnet: fast.usedClientSubnet,
                                 transport: transport)
                return fast.length
            }
            let packet = ByteBuffer(bytes: query)
            guard let response = responder.respond(to: packet, from: client, over: transport, snapshot: snapshot),
                  response.bytes.readableBytes <= output.count else { return nil }
            statistics.count(type: response.queryType, code: response.responseCode, region: response.region,
                             usedSubnet: response.usedClientSubnet, transport: transport)
            return response.bytes.withUnsafeReadableBytes { bytes in
                output.copyMemory(from: bytes)
                return bytes.count
            }
        }
    }

    /// The response bytes for one query, or `nil` when it is dropped. The common query is answered
    /// from the fast path's prebuilt bytes; everything else by the responder.
    func respond(to packet: ByteBuffer, from client: IPAddress, over transport: DNSResponder.Transport,
                 allocator: ByteBufferAllocator) -> ByteBuffer? {
        let current = self.current
        let capacity = transport == .udp ? DNSResponder.maximumUDPPayload : 65535
        var output = allocator.buffer(capacity: capacity)
        var answered = false
        _ = packet.withUnsafeReadableBytes { query in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { destination in
                let length = current.respond(to: query, from: client, over: transport, into: destination,
                                             counting: statistics.shared)
                answered = length != nil
                return length ?? 0
            }
        }
        return answered ? output : nil
    }
}
