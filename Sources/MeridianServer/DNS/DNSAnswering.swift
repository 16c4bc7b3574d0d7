import MeridianCore
import MeridianDNS
import NIOConcurrencyHelpers
import NIOCore

/// What the DNS listeners answer with: the responder for the configuration in force and the
/// latest steering snapshot, both replaced as a whole when they change, plus the counters.
public final class DNSAnswering: Sendable {
    private struct State {
        var responder: DNSResponder
        var snapshot: SteeringSnapshot
    }

    private let state: NIOLockedValueBox<State>
    public let statistics = DNSStatistics()

    init(responder: DNSResponder, snapshot: SteeringSnapshot) {
        state = NIOLockedValueBox(State(responder: responder, snapshot: snapshot))
    }

    func update(responder: DNSResponder) {
        state.withLockedValue { $0.responder = responder }
    }

    func update(snapshot: SteeringSnapshot) {
        state.withLockedValue { $0.snapshot = snapshot }
    }

    /// The response bytes for one query, or `nil` when it is dropped.
    func respond(to packet: ByteBuffer, from client: IPAddress, over transport: DNSResponder.Transport) -> ByteBuffer? {
        let (responder, snapshot) = state.withLockedValue { ($0.responder, $0.snapshot) }
        guard let response = responder.respond(to: packet, from: client, over: transport, snapshot: snapshot) else { return nil }
        statistics.count(response, transport: transport)
        return response.bytes
    }
}
