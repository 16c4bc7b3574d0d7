import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import MeridianCore
import NIOCore

/// The director's HTTP API on Hummingbird: the dashboard (`/`), `/v1/status`, `/v1/explain`,
/// `/v1/events`, `/v1/overrides` (setting one needs the admin token), the peers' `/v1/peer/report` (signed),
/// `/metrics` and `/healthz`. Speed does not matter here; the DNS and redirect paths have their own listeners.
public enum DirectorAPI {
    /// The application serving `director`'s API on `address`, to at most `maxConnections` connections
    /// at once (more wait in the listen backlog), each closed when no request arrives for
    /// `idleTimeout`. `onListening` receives the bound address (useful when the port is 0).
    public static func application(for director: Director, address: MeridianCore.SocketAddress, adminToken: AdminToken? = nil,
                                   maxConnections: Int = 1024, idleTimeout: Duration = .seconds(30),
                                   onListening: @escaping @Sendable (NIOCore.SocketAddress) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = Router()
        router.get("/") { _, _ in
            html(DashboardPage.html(region: director.region.rawValue))
        }
        router.get("/healthz") { _, _ in
            text("ok\n", type: "text/plain; charset=utf-8")
        }
        router.get("/v1/status") { _, _ in
            try json(director.status())
        }
        router.get("/v1/explain") { request, _ in
            guard let clientText = request.uri.queryParameters["client"].map(String.init) else {
                return try problem(.badRequest, "give the client's address: /v1/explain?client=IP&service=NAME")
            }
            guard let client = IPAddress(clientText) else {
                return try problem(.badRequest, "'\(clientText)' is not an IP address")
            }
            guard let serviceText = request.uri.queryParameters["service"].map(String.init) else {
                return try problem(.badRequest, "give the service: /v1/explain?client=IP&service=NAME")
            }
            guard let service = director.configuration.service(named: serviceText) else {
                let known = director.configuration.services.map(\.name.rawValue).joined(separator: ", ")
                return try problem(.notFound, "no service '\(serviceText)' (services: \(known))")
            }
            return try json(director.explain(client: client, service: service))
        }
        router.get("/v1/events") { request, _ in
            let limit = request.uri.queryParameters["limit"].flatMap { Int(String($0)) } ?? 100
            return try json(director.journal.latest(min(max(limit, 0), EventJournal.defaultCapacity)))
        }
        router.get("/v1/overrides") { _, _ in
            try json(director.overrideStatus())
        }
        router.post("/v1/overrides") { request, _ in
            guard let adminToken else {
                return try problem(.forbidden, "the admin API is off on this director (no token: --admin-token-file or \(AdminToken.environmentVariable))")
            }
            guard adminToken.authorizes(request.headers[.authorization]) else {
                director.logger.warning("admin call refused: wrong or missing token")
                return try problem(.unauthorized, "a valid bearer token is needed")
            }
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let asked = try? JSONDecoder().decode(OverrideRequest.self, from: Data(buffer: body)) else {
                return try problem(.badRequest, "the body must be an override: {\"region\" or \"gateway\", \"action\", \"reason\", \"author\", \"for\"}")
            }
            switch asked.write(in: director.configuration, at: .now) {
            case .failure(let error):
                return try problem(.badRequest, error.message)
            case .success(let write):
                director.apply(write)
                return try json(director.overrideStatus())
            }
        }
        router.get("/v1/peer/configuration") { request, _ in
            try await peerConfiguration(request, director: director)
        }
        router.post("/v1/peer/report") { request, _ in
            try await receivePeerReport(request, director: director)
        }
        router.get("/metrics") { _, _ in
            text(director.metricsText(), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        var logger = director.logger
        logger[metadataKey: "listener"] = "api"
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: TimeAmount(idleTimeout))),
            configuration: .init(address: .hostname(address.ip.description, port: Int(address.port)), serverName: "meridian",
                                 availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger)),
            onServerRunning: { [logger] channel in
                try? await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(AcceptPauseHandler(logger: logger), position: .first)
                }.get()
                if let local = channel.localAddress { await onListening(local) }
            },
            logger: logger)
    }

    /// A peer's signed report: 204 when taken, 401 when its signature, sender or time is refused,
    /// 400 when it is not a report, 404 when this director has no peer secret.
    private static func receivePeerReport(_ request: Request, director: Director) async throws -> Response {
        guard let peering = director.peering else {
            return try problem(.notFound, "peering is off on this director (no peer secret)")
        }
        let body = Data(buffer: try await request.body.collect(upTo: 8 << 20))
        func header(_ name: String) -> String? {
            request.headers.first { $0.name.canonicalName == name.lowercased() }?.value
        }
        let known = Set(director.configuration.regions.map(\.name)).subtracting([director.region])
        let now = Timestamp.now
        switch peering.authentication.verify(body, sender: header(PeerAuthentication.Header.sender),
                                             timestamp: header(PeerAuthentication.Header.timestamp),
                                             signature: header(PeerAuthentication.Header.signature), known: known, now: now) {
        case .failure(let refusal):
            peering.refused(refusal)
            director.logger.warning("peer message refused", metadata: ["reason": "\(refusal.rawValue)"])
            return try problem(.unauthorized, "peer message refused: \(refusal.rawValue)")
        case .success(let sender):
            guard let report = try? JSONDecoder().decode(PeerReport.self, from: body),
                  report.isPlausible(from: sender, at: now, maximumSkew: peering.authentication.maximumSkew) else {
                peering.refused(.malformed)
                return try problem(.badRequest, "not a peer report from \(sender), or dated ahead of this director's clock")
            }
            director.receive(report, at: now)
            // A director that has not heard from this one lately asks for its report in return.
            guard header(PeerExchange.replyHeader) == "report", let signature = header(PeerAuthentication.Header.signature) else {
                return Response(status: .noContent)
            }
            let reply = director.report(at: .now)
            let replyBody = try JSONEncoder().encode(reply)
            return signed(replyBody, peering.authentication.sign(replyBody, from: director.region, at: reply.sentAt, inReplyTo: signature))
        }
    }

    /// A signed JSON answer to a peer.
    private static func signed(_ body: Data, _ signature: [(String, String)]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        for (name, value) in signature { if let field = HTTPField.Name(name) { headers[field] = value } }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The configuration folder for a director joining (`serve --join`): the request and the answer
    /// are both signed with the peer secret.
    private static func peerConfiguration(_ request: Request, director: Director) async throws -> Response {
        guard let peering = director.peering else {
            return try problem(.notFound, "peering is off on this director (no peer secret)")
        }
        func header(_ name: String) -> String? {
            request.headers.first { $0.name.canonicalName == name.lowercased() }?.value
        }
        let known = Set(director.configuration.regions.map(\.name)).subtracting([director.region])
        switch peering.authentication.verify(Data(), sender: header(PeerAuthentication.Header.sender),
                                             timestamp: header(PeerAuthentication.Header.timestamp),
                                             signature: header(PeerAuthentication.Header.signature), known: known, now: .now) {
        case .failure(let refusal):
            peering.refused(refusal)
            return try problem(.unauthorized, "peer request refused: \(refusal.rawValue)")
        case .success:
            guard let answer = try ConfigurationJoin.answer(director, authentication: peering.authentication,
                                                            inReplyTo: header(PeerAuthentication.Header.signature) ?? "") else {
                return try problem(.notFound, "this director has no configuration folder to share")
            }
            return signed(answer.body, answer.headers)
        }
    }

    private static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(value) + Data("\n".utf8)
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A JSON error: `{"error": "..."}`.
    private static func problem(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        try json(["error": message], status: status)
    }

    private static func text(_ body: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static func html(_ body: String) -> Response {
        text(body, type: "text/html; charset=utf-8")
    }
}
