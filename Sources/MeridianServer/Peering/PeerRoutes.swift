import Foundation
import HTTPTypes
import Hummingbird
import MeridianCore
import NIOCore

/// The peers' endpoints of the director's API: `POST /v1/peer/report`, `POST /v1/peer/stream`
/// (`ExchangeRoute`) and `GET /v1/peer/configuration` (`?serial=N`: a kept release). Their headers are screened before anything of the body is read, the
/// body is read up to what the configuration can need, and a report is checked whole
/// (`PeerReportCheck`) before anything of it is used. With `clientCertificates` (the API serves
/// TLS under `peer-client-ca`), a request whose client presented no certificate is refused (403)
/// before anything else. Every refusal is counted (`meridian_peer_reports_refused_total`) and
/// logged at most once a minute per sender.
enum PeerRoutes {
    /// Adds the peers' endpoints for `director` to `router`.
    static func add(to router: Router<APIRequestContext>, director: Director, clientCertificates: Bool) {
        router.get(.init(ConfigurationJoin.path)) { request, context in
            if clientCertificates, let refusal = try await certificateRefusal(context, director: director) { return refusal }
            return try await peerConfiguration(request, director: director)
        }
        router.post(.init(PeerExchange.reportPath)) { request, context in
            if clientCertificates, let refusal = try await certificateRefusal(context, director: director) { return refusal }
            return try await receivePeerReport(request, director: director)
        }
        router.post(.init(ExchangeLinks.path)) { request, context in
            if clientCertificates, let refusal = try await certificateRefusal(context, director: director) { return refusal }
            return try await ExchangeRoute.receive(request, director: director)
        }
    }

    /// The refusal of a peer request whose client presented no certificate (one of another
    /// authority does not get this far: the handshake refuses it).
    private static func certificateRefusal(_ context: APIRequestContext, director: Director) async throws -> Response? {
        guard await !context.presentedClientCertificate() else { return nil }
        director.peering?.refused(Peering.noClientCertificate, from: nil, detail: "TLS", at: .now, logger: director.logger)
        return try DirectorAPI.problem(.forbidden, "peer requests need a client certificate issued by this fleet's peer-client-ca")
    }

    /// A peer's signed report: 204 when taken (200 with this director's report when asked for one),
    /// 401 when its signature, sender or time is refused, 400 when it is not a report its sender may
    /// send, 404 when this director does not peer.
    private static func receivePeerReport(_ request: Request, director: Director) async throws -> Response {
        guard let peering = director.peering else {
            return try DirectorAPI.problem(.notFound, "peering is off on this director (no key)")
        }
        let configuration = director.configuration
        let now = Timestamp.now
        let headers: PeerAuthentication.SignedHeaders
        switch screen(request, peering: peering, configuration: configuration, director: director, now: now) {
        case .failure(let refusal):
            return try DirectorAPI.problem(.unauthorized, "peer message refused: \(refusal.rawValue)")
        case .success(let screened):
            headers = screened
        }
        let sender = headers.sender
        let largest = PeerReportCheck.largestBody(for: configuration)
        let body: Data
        do {
            body = Data(buffer: try await request.body.collect(upTo: largest))
        } catch is NIOTooManyBytesError {
            let refusal = PeerAuthentication.Refusal.tooLarge.rawValue
            peering.refused(refusal, from: sender, detail: "body over \(largest) bytes", at: now, logger: director.logger)
            return try DirectorAPI.problem(.badRequest, "peer report refused: \(refusal): larger than the \(largest) bytes this configuration can need")
        }
        if case .failure(let refusal) = peering.authentication.verify(body, headers, method: "POST", path: PeerExchange.reportPath,
                                                                      receiver: director.name) {
            peering.refused(refusal.rawValue, from: sender, detail: "signature", at: now, logger: director.logger)
            return try DirectorAPI.problem(.unauthorized, "peer message refused: \(refusal.rawValue)")
        }
        director.savePeerMarks()
        peering.traffic.received(body.count, from: sender, as: .report)
        guard let report = try? JSONDecoder().decode(PeerReport.self, from: body) else {
            let refusal = PeerAuthentication.Refusal.malformed.rawValue
            peering.refused(refusal, from: sender, detail: "not a peer report", at: now, logger: director.logger)
            return try DirectorAPI.problem(.badRequest, "peer report refused: \(refusal): the body is not a peer report")
        }
        if let refusal = director.receive(report, from: sender, at: now) {
            return try DirectorAPI.problem(.badRequest, "peer report refused: \(refusal)")
        }
        // A director that has not heard from this one lately asks for its report in return.
        guard request.headers.value(named: PeerExchange.replyHeader) == "report",
              let signature = request.headers.value(named: PeerAuthentication.Header.signature) else {
            return Response(status: .noContent)
        }
        let reply = director.report(at: .now)
        let replyBody = try JSONEncoder().encode(reply)
        peering.traffic.sent(replyBody.count, to: sender, as: .report)
        let envelope = PeerAuthentication.Envelope(method: "POST", path: PeerExchange.reportPath, from: director.name, to: sender)
        return signed(replyBody, peering.authentication.sign(replyBody, envelope, at: reply.sentAt, inReplyTo: signature))
    }

    /// The configuration folder for a director joining (`serve --join`), or with `?serial=N` the
    /// kept release N for a peer following it: the request (with an empty body, which is not read,
    /// and for a join signed for any receiver since the joining director does not know yet whom it
    /// asks; the query is signed with the path) and the answer (signed for the asker) are both signed.
    private static func peerConfiguration(_ request: Request, director: Director) async throws -> Response {
        guard let peering = director.peering else {
            return try DirectorAPI.problem(.notFound, "peering is off on this director (no key)")
        }
        let serialText = request.uri.queryParameters["serial"].map(String.init)
        let serial = serialText.flatMap { UInt64($0) }
        if serialText != nil && serial == nil { return try DirectorAPI.problem(.badRequest, "serial must be a whole number") }
        let path = serial.map { ReleaseFetch.path(serial: $0) } ?? ConfigurationJoin.path
        let now = Timestamp.now
        let verified = screen(request, peering: peering, configuration: director.configuration, director: director, now: now)
            .flatMap { headers in
                peering.authentication.verify(Data(), headers, method: "GET", path: path, receiver: serial == nil ? nil : director.name)
                    .mapError { refusal in
                        peering.refused(refusal.rawValue, from: headers.sender, detail: "signature", at: now, logger: director.logger)
                        return refusal
                    }
            }
        switch verified {
        case .failure(let refusal):
            return try DirectorAPI.problem(.unauthorized, "peer request refused: \(refusal.rawValue)")
        case .success(let asker):
            director.savePeerMarks()
            let signature = request.headers.value(named: PeerAuthentication.Header.signature) ?? ""
            if let serial {
                guard let answer = try ConfigurationJoin.answer(release: serial, director, authentication: peering.authentication, to: asker,
                                                                inReplyTo: signature) else {
                    return try DirectorAPI.problem(.notFound, "this director keeps no release \(serial)")
                }
                return signed(answer.body, answer.headers)
            }
            guard let answer = try ConfigurationJoin.answer(director, authentication: peering.authentication, to: asker,
                                                            inReplyTo: signature) else {
                return try DirectorAPI.problem(.notFound, "this director has no configuration folder to share")
            }
            return signed(answer.body, answer.headers)
        }
    }

    /// The signing headers of `request`, screened (and a refusal counted and logged).
    static func screen(_ request: Request, peering: Peering, configuration: Configuration, director: Director,
                               now: Timestamp) -> Result<PeerAuthentication.SignedHeaders, PeerAuthentication.Refusal> {
        let known = Set(configuration.directors.map(\.endpoints.name)).subtracting([director.name])
        let unchecked = PeerAuthentication.UncheckedHeaders(request.headers)
        let screened = peering.authentication.screen(unchecked, known: known, configuration: configuration, now: now)
        if case .failure(let refusal) = screened {
            let sender = unchecked.sender.flatMap(DirectorName.init).flatMap { known.contains($0) ? $0 : nil }
            peering.refused(refusal.rawValue, from: sender, detail: "headers", at: now, logger: director.logger)
        }
        return screened
    }

    /// A signed JSON answer to a peer.
    private static func signed(_ body: Data, _ signature: [(String, String)]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        for (name, value) in signature { if let field = HTTPField.Name(name) { headers[field] = value } }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
