import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import MeridianCore
import NIOCore
import NIOSSL

/// The director's HTTP API on Hummingbird: the dashboard (`/`), `/v1/status`, `/v1/explain`,
/// `/v1/events`, `/v1/overrides` (setting one needs the admin token), the configuration releases
/// (`ConfigurationRoutes`), the peers' `/v1/peer/report` (signed),
/// `/metrics`, `/healthz` (200 only while the director answers from a fresh view, `Readiness`) and
/// `/livez` (200 while the process serves). Speed does not matter here; the DNS and redirect paths have their own listeners.
public enum DirectorAPI {
    /// The application serving `director`'s API on `address`, to at most `maxConnections` connections
    /// at once (more wait in the listen backlog), each closed when no request arrives for
    /// `idleTimeout`. With `tls` it serves HTTPS (`APITLS.server`); one that asks for client
    /// certificates makes the peer routes refuse a request without one. `onListening` receives the
    /// bound address (useful when the port is 0).
    public static func application(for director: Director, address: MeridianCore.SocketAddress, adminToken: AdminToken? = nil,
                                   maxConnections: Int = 1024, idleTimeout: Duration = .seconds(30), tls: TLSConfiguration? = nil,
                                   onListening: @escaping @Sendable (NIOCore.SocketAddress) async -> Void = { _ in })
        throws -> some ApplicationProtocol
    {
        let router = Router(context: APIRequestContext.self)
        router.get("/") { _, _ in
            html(DashboardPage.html(director: "\(director.name) (\(director.region))"))
        }
        router.get("/livez") { _, _ in
            text("ok\n", type: "text/plain; charset=utf-8")
        }
        router.get("/healthz") { _, _ in
            let readiness = director.readiness()
            return readiness.ready ? text("ok\n", type: "text/plain; charset=utf-8")
                : text("not ready: \(readiness.reason)\n", type: "text/plain; charset=utf-8", status: .serviceUnavailable)
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
            if let refusal = try adminRefusal(request, token: adminToken, director: director) { return refusal }
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let asked = try? JSONDecoder().decode(OverrideRequest.self, from: Data(buffer: body)) else {
                return try problem(.badRequest, "the body must be an override: {\"region\" or \"gateway\", \"action\", \"reason\", \"author\", \"for\"}")
            }
            switch asked.write(in: director.configuration, at: .now) {
            case .failure(let error):
                return try problem(.badRequest, error.message)
            case .success(let write):
                if let winner = director.apply(write) {
                    return try json(LostWrite(error: "a newer write holds \(winner.override.target): this one is not applied",
                                              winner: Director.overrideStatus(of: winner)), status: .conflict)
                }
                return try json(director.overrideStatus())
            }
        }
        let clientCertificates = tls.map { $0.certificateVerification == .optionalVerification } ?? false
        PeerRoutes.add(to: router, director: director, clientCertificates: clientCertificates)
        ConfigurationRoutes.add(to: router, director: director, adminToken: adminToken)
        FailbackRoutes.add(to: router, director: director, adminToken: adminToken)
        router.get("/metrics") { _, _ in
            text(director.metricsText(), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        var logger = director.logger
        logger[metadataKey: "listener"] = "api"
        let http = HTTP1Channel.Configuration(idleTimeout: TimeAmount(idleTimeout))
        return Application(
            router: router,
            server: try tls.map { try .tls(.http1(configuration: http), tlsConfiguration: $0) } ?? .http1(configuration: http),
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

    /// The answer to an admin call without the admin token (403 when the admin API is off, 401 for
    /// a wrong or missing token), or `nil` when the call carries it.
    static func adminRefusal(_ request: Request, token: AdminToken?, director: Director) throws -> Response? {
        guard let token else {
            return try problem(.forbidden, "the admin API is off on this director (no token: --admin-token-file or \(AdminToken.environmentVariable))")
        }
        guard token.authorizes(request.headers[.authorization]) else {
            director.logger.warning("admin call refused: wrong or missing token")
            return try problem(.unauthorized, "a valid bearer token is needed")
        }
        return nil
    }

    /// The answer to an operator's write that lost to a newer one (409).
    struct LostWrite: Encodable {
        var error: String
        var winner: StatusDocument.OverrideStatus
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(value) + Data("\n".utf8)
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A JSON error: `{"error": "..."}`.
    static func problem(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        try json(["error": message], status: status)
    }

    private static func text(_ body: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: type, .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static func html(_ body: String) -> Response {
        text(body, type: "text/html; charset=utf-8")
    }
}
