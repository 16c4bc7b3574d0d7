import MeridianCore
import NIOCore
import NIOPosix
import NIOSSL

/// Probes one gateway, over one kept-alive connection for HTTP(S) or a fresh connection for TCP.
///
/// HTTP(S) probes send request bytes prepared once and read the answer with
/// `HTTPProbeResponseParser`. Between probes the prober keeps a connection open, as a watch on
/// the gateway: when the gateway closes it (its process died, it is going away, or it simply closes
/// idle connections or every connection after one answer), the prober opens another at once, and
/// a refused one (or one closed as soon as opened) is reported through `onGatewayGone` without
/// waiting for the next probe. The object is confined to one event loop: every method runs there.
final class GatewayProber: @unchecked Sendable {
    let gateway: Gateway
    let eventLoop: any EventLoop
    private let wheel: TimerWheel
    private let settings: ProbeSettings
    private let request: ByteBuffer
    private let target: NIOCore.SocketAddress?
    private let tlsContext: NIOSSLContext?
    private let serverName: String?
    /// Called when the gateway seems to have gone away between probes: it closed the idle connection
    /// and refused a new one, or closed the new one as soon as it was opened.
    var onGatewayGone: (() -> Void)?

    private var channel: (any Channel)?
    /// When `channel` was opened.
    private var openedAt = NIODeadline.now()
    private var pending: Pending?
    private var generation = 0
    private var stopped = false
    private var watch: GatewayWatch

    private struct Pending {
        var id: Int
        var started: NIODeadline
        var completion: (ProbeAttempt) -> Void
    }

    init(gateway: Gateway, eventLoop: any EventLoop, wheel: TimerWheel? = nil, tlsContext: NIOSSLContext?) {
        self.gateway = gateway
        self.eventLoop = eventLoop
        self.wheel = wheel ?? TimerWheel(eventLoop: eventLoop)
        self.settings = gateway.probe
        self.tlsContext = tlsContext
        let host = settings.hostHeader ?? settings.targetHost
        let defaultPort: UInt16 = settings.kind == .https ? 443 : 80
        let hostHeader = settings.targetPort == defaultPort || settings.hostHeader != nil ? host
            : (host.contains(":") ? "[\(host)]:\(settings.targetPort)" : "\(host):\(settings.targetPort)")
        request = ByteBuffer(string: "\(settings.method) \(settings.path) HTTP/1.1\r\nHost: \(hostHeader)\r\n"
                             + "User-Agent: meridian-probe\r\nAccept: */*\r\n\r\n")
        target = try? NIOCore.SocketAddress(ipAddress: settings.targetHost, port: Int(settings.targetPort))
        serverName = IPAddress(host) == nil ? host : nil
        watch = GatewayWatch(youngAge: Self.fastInterval(for: settings))
    }

    /// Runs one probe and reports it on the event loop. One probe at a time.
    func probe(_ completion: @escaping (ProbeAttempt) -> Void) {
        eventLoop.assertInEventLoop()
        precondition(pending == nil, "one probe at a time")
        generation += 1
        let id = generation
        // A timeout that fires after its probe finished finds another probe id and does nothing.
        wheel.schedule(at: .now() + .nanoseconds(settings.timeout.nanoseconds)) { [self] in
            finish(id, success: false, error: "timed out after \(settings.timeout.shortDescription)",
                   definitive: false, closeConnection: true)
        }
        pending = Pending(id: id, started: .now(), completion: completion)
        if let channel, channel.isActive, settings.kind != .tcp {
            send(on: channel)
        } else {
            connect(id)
        }
    }

    /// After a failure that leaves the verdict in doubt, the next probe comes this soon: a tenth of
    /// the interval, between 50 ms and 500 ms.
    var fastInterval: TimeAmount { Self.fastInterval(for: settings) }

    private static func fastInterval(for settings: ProbeSettings) -> TimeAmount {
        .nanoseconds(min(max(settings.interval.nanoseconds / 10, 50_000_000), 500_000_000))
    }

    /// Closes the kept-alive connection and fails any probe in flight.
    func shutdown() {
        eventLoop.assertInEventLoop()
        stopped = true
        onGatewayGone = nil
        if let pending { finish(pending.id, success: false, error: "stopped", definitive: false, closeConnection: true) }
        let channel = self.channel
        self.channel = nil
        channel?.close(promise: nil)
    }

    private func bootstrap() -> ClientBootstrap {
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(settings.connectTimeout.nanoseconds))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard settings.kind != .tcp else { return }
                    if let tlsContext {
                        let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    let loadHeader: String? = if case .header(let name)? = settings.load?.source { name } else { nil }
                    let handler = ProbeConnectionHandler(checksBody: settings.bodyContains != nil || settings.load?.readsBody == true,
                                                         headRequest: settings.method == "HEAD",
                                                         loadHeader: loadHeader) { [self, channel] event in
                        handle(event, on: channel)
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
    }

    private func openConnection() -> EventLoopFuture<any Channel> {
        let bootstrap = bootstrap()
        return target.map { bootstrap.connect(to: $0) } ?? bootstrap.connect(host: settings.targetHost, port: Int(settings.targetPort))
    }

    private func connect(_ id: Int) {
        openConnection().assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let channel):
                guard pending?.id == id else {
                    channel.close(promise: nil)
                    return
                }
                if settings.kind == .tcp {
                    channel.close(promise: nil)
                    finish(id, success: true, error: nil, definitive: false, closeConnection: false)
                } else {
                    self.channel = channel
                    openedAt = .now()
                    send(on: channel)
                }
            case .failure(let error):
                let (message, definitive) = describe(error)
                finish(id, success: false, error: message, definitive: definitive, closeConnection: false)
            }
        }
    }

    /// Opens the connection the next probe will use, now, so that the gateway stays watched between
    /// probes. A refusal means the gateway is gone.
    private func openStandby() {
        guard !stopped, settings.kind != .tcp, channel == nil, pending == nil else { return }
        openConnection().assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let channel):
                guard !stopped, self.channel == nil, pending == nil else {
                    channel.close(promise: nil)
                    return
                }
                self.channel = channel
                openedAt = .now()
                // Closed before it was kept: its close event found another channel and was dropped.
                if !channel.isActive { handle(.closed, on: channel) }
            case .failure(let error):
                if !stopped, pending == nil, describe(error).1 { onGatewayGone?() }
            }
        }
    }

    private func send(on channel: any Channel) {
        channel.writeAndFlush(request, promise: nil)
    }

    private func handle(_ event: ProbeConnectionHandler.Event, on channel: any Channel) {
        guard channel === self.channel else { return }
        switch event {
        case .response(let response):
            guard let pending else { return }
            if !response.keepAlive {
                // Forgotten before it is closed: closing reports `.closed` at once, and that is no failure.
                self.channel = nil
                channel.close(promise: nil)
            }
            let (success, error) = judge(response)
            finish(pending.id, success: success, error: error, definitive: false, closeConnection: false,
                   load: success ? load(in: response) : nil)
            if success { watch.probeSucceeded() }
            // A gateway that closes after every answer is watched through the next probe's connection.
            if success && !response.keepAlive { openStandby() }
        case .failed(let error):
            self.channel = nil
            if let pending { finish(pending.id, success: false, error: error.description, definitive: false, closeConnection: true) }
        case .closed:
            self.channel = nil
            if let pending {
                finish(pending.id, success: false, error: "connection closed by the gateway", definitive: true,
                       closeConnection: false)
            } else {
                switch watch.closed(age: NIODeadline.now() - openedAt) {
                case .reconnect: openStandby()
                case .probe: onGatewayGone?()
                case .wait: break
                }
            }
        }
    }

    private func judge(_ response: ProbeResponse) -> (Bool, String?) {
        guard settings.expectedStatus.contains(where: { $0.contains(response.status) }) else {
            return (false, "HTTP \(response.status)")
        }
        if let expected = settings.bodyContains {
            let body = response.body.map { String(buffer: $0) } ?? ""
            guard body.contains(expected) else { return (false, "HTTP \(response.status), body lacks '\(expected)'") }
        }
        return (true, nil)
    }

    /// The load the answer reports (`probe.load`), if it reports one that reads.
    private func load(in response: ProbeResponse) -> Double? {
        guard let reading = settings.load else { return nil }
        switch reading.source {
        case .header: return response.loadHeader.flatMap { reading.value(ofHeader: Substring($0)) }
        case .json: return response.body.flatMap { reading.value(ofBody: Array($0.readableBytesView)) }
        }
    }

    private func finish(_ id: Int, success: Bool, error: String?, definitive: Bool, closeConnection: Bool,
                        load: Double? = nil) {
        guard let pending, pending.id == id else { return }
        self.pending = nil
        if closeConnection, let channel {
            self.channel = nil
            channel.close(promise: nil)
        }
        let latency = Duration.nanoseconds((NIODeadline.now() - pending.started).nanoseconds)
        let outcome = ProbeOutcome(at: Timestamp.now, succeeded: success, latency: latency, error: error, load: load)
        pending.completion(ProbeAttempt(outcome: outcome, definitive: definitive))
    }

    /// A connection error in words, and whether it is definitive (the OS said no one is there).
    private func describe(_ error: any Error) -> (String, Bool) {
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            return describe(first.error)
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return ("connection refused", true)
            case ECONNRESET: return ("connection reset", true)
            case EHOSTUNREACH, ENETUNREACH: return ("unreachable", true)
            default: return ("\(io)", false)
            }
        }
        if case ChannelError.connectTimeout = error {
            return ("connect timed out after \(settings.connectTimeout.shortDescription)", false)
        }
        return ("\(error)", false)
    }
}
