import MeridianCore
import MeridianDNS
import NIOConcurrencyHelpers
import NIOCore

/// What the DNS listeners answer with: the responder for the configuration in force, the latest
/// steering snapshot and the fast path prebuilt from both, replaced as a whole when they change,
/// plus the counters.
public final class DNSAnswering: Sendable {
    private let state: NIOLockedValueBox<Current>
    /// Held for the whole read-build-swap of an update, so that two updates at once (a reload's
    /// responder, a refresh's snapshot) cannot put back what the other replaced. Queries never take
    /// it: they read `state`, which is held only for the swap.
    private let installing = NIOLock()
    public let statistics = DNSStatistics()
    /// The counts behind response-rate limiting over UDP, kept across reloads.
    public let rateLimiter = ResponseRateLimiter()

    init(responder: DNSResponder, snapshot: SteeringSnapshot) {
        state = NIOLockedValueBox(Current(responder: responder, snapshot: snapshot))
    }

    /// Installs a new responder, a new snapshot or both; what is not given stays.
    func update(responder: DNSResponder? = nil, snapshot: SteeringSnapshot? = nil) {
        installing.withLock {
            let installed = current
            let next = Current(responder: responder ?? installed.responder, snapshot: snapshot ?? installed.snapshot)
            state.withLockedValue { $0 = next }
        }
    }

    /// Installs `signer` into the responder in force (the fast path's signed answers are built anew).
    func update(signer: ZoneSigner?) {
        installing.withLock {
            let installed = current
            var responder = installed.responder
            responder.signer = signer
            let next = Current(responder: responder, snapshot: installed.snapshot)
            state.withLockedValue { $0 = next }
        }
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
        /// The configuration's response-rate limit for UDP.
        let rateLimit: ResponseRateLimit

        init(responder: DNSResponder, snapshot: SteeringSnapshot) {
            self.responder = responder
            self.snapshot = snapshot
            self.fastPath = DNSFastPath(responder: responder, snapshot: snapshot)
            self.rateLimit = snapshot.assessment.configuration.rateLimit
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
                  response.bytes.readableBytes <= min(output.count, DNSAnswering.limit(transport)) else { return nil }
            let length = response.bytes.withUnsafeReadableBytes { bytes in
                output.copyMemory(from: bytes)
                return bytes.count
            }
            return (length, .slow(type: response.queryType, code: response.responseCode, region: response.region,
                                  usedSubnet: response.usedClientSubnet, fromRecords: response.fromRecords))
        }
    }

    /// The longest response a transport carries.
    static func limit(_ transport: DNSResponder.Transport) -> Int {
        transport == .udp ? DNSResponder.maximumUDPPayload : DNSResponder.maximumTCPMessage
    }

    /// The response bytes for one query, or `nil` when it is dropped. The common query is answered
    /// from the fast path's prebuilt bytes; everything else by the responder.
    func respond(to packet: ByteBuffer, from client: IPAddress, over transport: DNSResponder.Transport,
                 allocator: ByteBufferAllocator) -> ByteBuffer? {
        let current = self.current
        let capacity = Self.limit(transport)
        var output = allocator.buffer(capacity: capacity)
        var counted: DNSStatistics.Counted?
        _ = packet.withUnsafeReadableBytes { query in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { destination in
                let result = current.respond(to: query, from: client, over: transport, into: destination)
                counted = result?.counted
                return result?.length ?? 0
            }
        }
        guard let counted, output.readableBytes <= capacity else { return nil }
        statistics.shared.update { $0.counts.count(counted, regions: current.fastPath.regionNames, udp: transport == .udp) }
        return output
    }
}
