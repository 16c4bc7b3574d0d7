import Foundation
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A stand-in API gateway for demos and tests: a real HTTP server on loopback whose behaviour
/// (`StandInMode`) can be switched at run time, directly or over its own control endpoint
/// (`GET /mode`, `POST /mode/healthy|error|slow|hang|down`, `slow` taking `?delay=2s`). The control
/// endpoint listens separately, so it stays reachable while the gateway is `down`. It can also say
/// a load (`POST /mode/load?rps=30000`, `?rps=none` to stop): healthy answers then carry it in an
/// `X-Gateway-Load` header, and `GET /load` answers `{"load":{"rps":30000}}`.
public final class StandInGateway: Sendable {
    public let name: String
    /// Whether the gateway closes the connection after every answer, as an HTTP/1.0 server or one
    /// answering `Connection: close` does.
    public let closesEachConnection: Bool
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let state: NIOLockedValueBox<State>

    private struct State {
        var mode: StandInMode = .healthy
        var load: Double?
        var address: NIOCore.SocketAddress?
        var controlAddress: NIOCore.SocketAddress?
        var listener: (any Channel)?
        var control: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var accepted = 0
        var stopped = false
    }

    private init(name: String, closesEachConnection: Bool, group: any EventLoopGroup, tls: NIOSSLContext?) {
        self.name = name
        self.closesEachConnection = closesEachConnection
        self.group = group
        self.tls = tls
        self.state = NIOLockedValueBox(State())
    }

    /// Starts a gateway listening on `listen` (over TLS when `tls` is given), and its control
    /// endpoint (plain HTTP) on `control` if given.
    public static func start(name: String, listen: NIOCore.SocketAddress, control: NIOCore.SocketAddress? = nil,
                             tls: NIOSSLContext? = nil, closesEachConnection: Bool = false,
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> StandInGateway {
        let gateway = StandInGateway(name: name, closesEachConnection: closesEachConnection, group: group, tls: tls)
        let listener = try await gateway.bindListener(at: listen)
        gateway.state.withLockedValue { $0.listener = listener; $0.address = listener.localAddress }
        if let control {
            do {
                let channel = try await gateway.bindControl(at: control)
                gateway.state.withLockedValue { $0.control = channel; $0.controlAddress = channel.localAddress }
            } catch {
                await gateway.stop()
                throw error
            }
        }
        return gateway
    }

    /// The address the gateway listens on (with the real port when 0 was asked for).
    public var address: NIOCore.SocketAddress { state.withLockedValue { $0.address! } }

    /// The control endpoint's address, when it has one.
    public var controlAddress: NIOCore.SocketAddress? { state.withLockedValue { $0.controlAddress } }

    /// How many connections the gateway has taken since it started, and how many are open.
    public var connectionCounts: (accepted: Int, open: Int) {
        state.withLockedValue { ($0.accepted, $0.connections.count) }
    }

    /// The current mode.
    public var mode: StandInMode { state.withLockedValue { $0.mode } }

    /// The load healthy answers report, in requests per second (`nil`: none).
    public var load: Double? {
        get { state.withLockedValue { $0.load } }
        set { state.withLockedValue { $0.load = newValue } }
    }

    /// Switches the mode. Entering `down` closes the listener and every connection; leaving it
    /// listens again on the same address.
    public func setMode(_ mode: StandInMode) async throws {
        let (previous, toClose) = state.withLockedValue { state -> (StandInMode, [any Channel]) in
            let previous = state.mode
            state.mode = mode
            guard mode == .down, previous != .down else { return (previous, []) }
            // The connections first, then the listener, as when a process is killed: a client that
            // reconnects at once may still be accepted, and is closed.
            let channels = Array(state.connections.values) + (state.listener.map { [$0] } ?? [])
            state.listener = nil
            state.connections = [:]
            return (previous, channels)
        }
        for channel in toClose { try? await channel.close() }
        if previous == .down, mode != .down {
            let listener = try await bindListener(at: address)
            state.withLockedValue { $0.listener = listener }
        }
    }

    /// Closes the listener, the control endpoint and every connection.
    public func stop() async {
        let channels = state.withLockedValue { state -> [any Channel] in
            state.stopped = true
            defer { state.listener = nil; state.control = nil; state.connections = [:] }
            return Array(state.connections.values) + [state.listener, state.control].compactMap { $0 }
        }
        for channel in channels { try? await channel.close() }
    }

    private func bindListener(at address: NIOCore.SocketAddress) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls = self.tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(StandInRequestHandler(gateway: self, role: .gateway))
                    self.track(channel)
                }
            }
            .bind(to: address).get()
    }

    private func bindControl(at address: NIOCore.SocketAddress) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(StandInRequestHandler(gateway: self, role: .control))
                }
            }
            .bind(to: address).get()
    }

    private func track(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        let accepted = state.withLockedValue { state -> Bool in
            guard state.mode != .down, !state.stopped else { return false }
            state.connections[key] = channel
            state.accepted += 1
            return true
        }
        if !accepted { channel.close(promise: nil); return }
        channel.closeFuture.whenComplete { [self] _ in
            _ = state.withLockedValue { $0.connections.removeValue(forKey: key) }
        }
    }
}

/// Reads HTTP requests on a stand-in's connections and answers them: as the gateway (according to
/// its mode) on the gateway's listener, or as its control endpoint.
private final class StandInRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    enum Role {
        case gateway
        case control
    }

    private let gateway: StandInGateway
    private let role: Role
    private var head: HTTPRequestHead?

    init(gateway: StandInGateway, role: Role) {
        self.gateway = gateway
        self.role = role
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            switch role {
            case .gateway: answerAsGateway(context: context, head: head)
            case .control: answerAsControl(context: context, head: head)
            }
        }
    }

    // MARK: The gateway

    private func answerAsGateway(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        let keepAlive = head.isKeepAlive && !gateway.closesEachConnection
        switch gateway.mode {
        case .hang, .down:
            return
        case .error:
            write(context: context, status: .serviceUnavailable, body: "unavailable\n", type: "text/plain", keepAlive: keepAlive)
        case .healthy:
            answerHealthy(context: context, path: path, keepAlive: keepAlive)
        case .slow(let delay):
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
                let (handler, context) = loopBound.value
                handler.answerHealthy(context: context, path: path, keepAlive: keepAlive)
            }
        }
    }

    private func answerHealthy(context: ChannelHandlerContext, path: String, keepAlive: Bool) {
        let load = gateway.load.map(Self.number)
        if path == "/health" {
            write(context: context, status: .ok, body: "ok\n", type: "text/plain", keepAlive: keepAlive, load: load)
        } else if path == "/load" {
            let body = #"{"gateway":"\#(gateway.name)","load":{"rps":\#(load ?? "null")}}"# + "\n"
            write(context: context, status: .ok, body: body, type: "application/json", keepAlive: keepAlive)
        } else {
            let body = #"{"gateway":"\#(gateway.name)","path":"\#(path.jsonEscaped)"}"# + "\n"
            write(context: context, status: .ok, body: body, type: "application/json", keepAlive: keepAlive)
        }
    }

    // MARK: The control endpoint

    private func answerAsControl(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let parts = head.uri.split(separator: "?", maxSplits: 1).map(String.init)
        let path = parts.first ?? "/"
        let delay = parts.count > 1 ? parts[1].split(separator: "&").first { $0.hasPrefix("delay=") }.map { String($0.dropFirst(6)) } : nil
        if head.method == .GET, path == "/mode" {
            write(context: context, status: .ok, body: "\(gateway.mode)" + (gateway.load.map { ", load \(Self.number($0)) rps" } ?? "") + "\n")
        } else if head.method == .POST, path == "/mode/load" {
            let rps = parts.count > 1 ? parts[1].split(separator: "&").first { $0.hasPrefix("rps=") }.map { String($0.dropFirst(4)) } : nil
            if rps == "none" {
                gateway.load = nil
                write(context: context, status: .ok, body: "\(gateway.name) reports no load\n")
            } else if let rps, let value = Double(rps), value.isFinite, value >= 0 {
                gateway.load = value
                write(context: context, status: .ok, body: "\(gateway.name) reports \(Self.number(value)) rps\n")
            } else {
                write(context: context, status: .badRequest, body: "give the load as ?rps=NUMBER (or ?rps=none)\n")
            }
        } else if head.method == .POST, path.hasPrefix("/mode/") {
            guard let mode = StandInMode(String(path.dropFirst(6)), delay: delay) else {
                write(context: context, status: .badRequest, body: "unknown mode; use healthy, error, slow[?delay=2s], hang or down\n")
                return
            }
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let gateway = self.gateway
            let promise = context.eventLoop.makePromise(of: Void.self)
            promise.completeWithTask { try await gateway.setMode(mode) }
            promise.futureResult.whenComplete { result in
                let (handler, context) = loopBound.value
                switch result {
                case .success: handler.write(context: context, status: .ok, body: "\(gateway.name) is now \(mode)\n")
                case .failure(let error): handler.write(context: context, status: .internalServerError, body: "\(error)\n")
                }
            }
        } else {
            write(context: context, status: .notFound, body: "GET /mode or POST /mode/{healthy,error,slow,hang,down,load?rps=N}\n")
        }
    }

    /// A load as a header or JSON number: whole numbers without a fraction.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private func write(context: ChannelHandlerContext, status: HTTPResponseStatus, body: String,
                       type: String = "text/plain", keepAlive: Bool = true, load: String? = nil) {
        var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", "\(body.utf8.count)"),
                                   ("X-Gateway", gateway.name)])
        if let load { headers.add(name: "X-Gateway-Load", value: load) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [channel = context.channel] _ in channel.close(promise: nil) } }
    }
}

extension String {
    /// Escapes a string for a JSON string literal.
    var jsonEscaped: String {
        var result = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 { result += String(format: "\\u%04x", scalar.value) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result
    }
}
