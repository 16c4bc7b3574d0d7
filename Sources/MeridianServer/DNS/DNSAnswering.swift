import MeridianCore
import MeridianDNS
import NIOConcurrencyHelpers
import NIOCore

/// What the DNS listeners answer with: the responder for the configuration in force, the latest
/// steering snapshot and the fast path prebuilt from both, replaced as a whole when they change,
/// plus the counters.
public final class DNSAnswering: Sendable {
    private let state: NIOLockedValueBox<Current>
    public let statistics = DNSStatistics()

    init(responder: DNSResponder, snapshot: SteeringSnapshot) {
        state = NIOLockedValueBox(Current(responder: responder, snapshot: snapshot))
    }

    func update(responder: DNSResponder) {
        let snapshot = state.withLockedValue { $0.snapshot }
        let next = Current(responder: responder, snapshot: snapshot)
        state.withLockedValue { $0 = next }
    }

    func update(snapshot: SteeringSnapshot) {
        let responder = state.withLockedValue { $0.responder }
        let next = Current(responder: responder, snapshot: snapshot)
        state.withLockedValue { $0 = next }
    }

    /// The current responder, snapshot and fast path, read once per batch of queries.
    var current: Current {
        state.withLockedValue { $0 }
    }

    /// The pieces of `DNSAnswering` that one batch of queries reads. A class, so that reading it
    /// for a batch is one reference count rather than one per piece.
    final class Current: Sendable {
        let responder: DNSResponder
        let snapshot: SteeringSnapshot
        let fastPath: DNSFastPath

        init(responder: DNSResponder, snapshot: SteeringSnapshot) {
            self.responder = responder
            self.snapshot = snapshot
            self.fastPath = DNSFastPath(responder: responder, snapshot: snapshot)
        }

        /// Writes the response to `query` into `output` and returns its length and what to count, or
        /// `nil` when the query is dropped or the response does not fit.
        func respond(to query: UnsafeRawBufferPointer, from client: IPAddress, over transport: DNSResponder.Transport,
                     into output: UnsafeMutableRawBufferPointer) -> (length: Int, counted: DNSStatistics.Counted)? {
            if let fast = fastPath.answer(query, from: client, over: transport, into: output) {
                return (fast.length, .fast(fast))
            }
            let packet = ByteBuffer(bytes: query)
            guard let response = responder.respond(to: packet, from: client, over: transport, snapshot: snapshot),
                  response.bytes.readableBytes <= output.count else { return nil }
            let length = response.bytes.withUnsafeReadableBytes { bytes in
                output.copyMemory(from: bytes)
                return bytes.count
            }
            return (length, .slow(type: response.queryType, code: response.responseCode, region: response.region,
                                  usedSubnet: response.usedClientSubnet))
        }
    }

    /// The response bytes for one query, or `nil` when it is dropped. The common query is answered
    /// from the fast path's prebuilt bytes; everything else by the responder.
    func respond(to packet: ByteBuffer, from client: IPAddress, over transport: DNSResponder.Transport,
                 allocator: ByteBufferAllocator) -> ByteBuffer? {
        let current = self.current
        let capacity = transport == .udp ? DNSResponder.maximumUDPPayload : 65535
        var output = allocator.buffer(capacity: capacity)
        var counted: DNSStatistics.Counted?
        _ = packet.withUnsafeReadableBytes { query in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { destination in
                let result = current.respond(to: query, from: client, over: transport, into: destination)
                counted = result?.counted
                return result?.length ?? 0
            }
        }
        guard let counted else { return nil }
        statistics.shared.count(counted, regions: current.fastPath.regionNames, transport: transport)
        return output
    }
}
