import Foundation
import Hummingbird
import Logging
import MeridianCore
import NIOCore

/// The director's HTTP API on Hummingbird: the dashboard (`/`), `/v1/status`, `/metrics` and
/// `/healthz`. Speed does not matter here; the DNS and redirect paths have their own listeners.
public enum DirectorAPI {
    /// The application serving `director`'s API on `address`. `onListening` receives the bound
    /// address (useful when the port is 0).
    public static func application(for director: Director, address: MeridianCore.SocketAddress,
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
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let body = try encoder.encode(director.status())
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("/metrics") { _, _ in
            text(director.metricsText(), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        var logger = director.logger
        logger[metadataKey: "listener"] = "api"
        return Application(
            router: router,
            configuration: .init(address: .hostname(address.ip.description, port: Int(address.port)), serverName: "meridian"),
            onServerRunning: { channel in
                if let local = channel.localAddress { await onListening(local) }
            },
            logger: logger)
    }

    private static func text(_ body: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static func html(_ body: String) -> Response {
        text(body, type: "text/html; charset=utf-8")
    }
}
