import Foundation
import Hummingbird
import MeridianCore
import ServiceLifecycle

/// `POST /v1/peer/stream`: a peer's stream of tagged records, read as it arrives. The opening
/// request's headers are screened and its signature (over an empty body) checked as for any peer
/// message before anything of the body is read; each record is then checked on its own
/// (`ExchangeRecordReader`, `ExchangeHub.take`), and the first refusal cuts the stream (400, counted
/// and logged like a refused report). A stream that ends answers 204, one that this director stops
/// reading as it shuts down 503 (its peers take it as gone at once); 404 when this director does not
/// peer.
enum ExchangeRoute {
    static func receive(_ request: Request, director: Director) async throws -> Response {
        guard let peering = director.peering else {
            return try DirectorAPI.problem(.notFound, "peering is off on this director (no key)")
        }
        let configuration = director.configuration
        let now = Timestamp.now
        let headers: PeerAuthentication.SignedHeaders
        switch PeerRoutes.screen(request, peering: peering, configuration: configuration, director: director, now: now) {
        case .failure(let refusal):
            return try DirectorAPI.problem(.unauthorized, "peer message refused: \(refusal.rawValue)")
        case .success(let screened):
            headers = screened
        }
        let sender = headers.sender
        if case .failure(let refusal) = peering.authentication.verify(Data(), headers, method: "POST", path: ExchangeLinks.path,
                                                                      receiver: director.name) {
            peering.refused(refusal.rawValue, from: sender, detail: "stream signature", at: now, logger: director.logger)
            return try DirectorAPI.problem(.unauthorized, "peer message refused: \(refusal.rawValue)")
        }
        director.savePeerMarks()
        let hub = peering.hub
        if hub.limits == nil { hub.configure(configuration, maximumSkew: peering.authentication.maximumSkew) }
        let id = UInt64(max(headers.microseconds, 0))
        guard hub.open(stream: id, from: sender) else {
            return try DirectorAPI.problem(.conflict, "a newer stream of \(sender) is open")
        }
        let stream = ExchangeRecord.Stream(sender: sender.rawValue, receiver: director.name.rawValue, id: id)
        guard let key = ExchangeStreamKey(for: stream, own: peering.authentication.key, peer: headers.key) else {
            peering.refused(PeerAuthentication.Refusal.badSignature.rawValue, from: sender, detail: "stream key", at: now, logger: director.logger)
            return try DirectorAPI.problem(.unauthorized, "peer message refused: the sender's key has no X25519 form")
        }
        let cut: ExchangeStreamReading.Cut?
        do {
            // A stream lasts as long as its sender runs: a director shutting down stops reading.
            cut = try await cancelWhenGracefulShutdown {
                try await ExchangeStreamReading.read(request.body, stream: stream, from: sender, key: key, hub: hub,
                                                     arrived: { peering.traffic.received($0, from: sender, as: .stream) }) { reception in
                    director.receive(reception, from: sender)
                }
            }
        } catch {
            // This director is shutting down: the sender hears that it is leaving (`ExchangeLinks.PeerLeaving`).
            return try DirectorAPI.problem(.serviceUnavailable, "\(director.name) is shutting down")
        }
        guard let cut else { return Response(status: .noContent) }
        let reason: String
        switch cut {
        case .record(let refusal): reason = refusal.rawValue
        case .frame(.malformed): reason = PeerAuthentication.Refusal.malformed.rawValue
        case .frame(.superseded): return Response(status: .noContent)
        case .frame(.refused(let refusal)): reason = refusal.reason.rawValue
        }
        peering.refused(reason, from: sender, detail: "stream: \(cut)", at: .now, logger: director.logger)
        return try DirectorAPI.problem(.badRequest, "peer stream cut: \(reason)")
    }
}
