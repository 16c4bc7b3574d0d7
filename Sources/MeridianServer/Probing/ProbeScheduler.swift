import Logging
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// Probes every gateway of the configuration on its interval and records the results in a
/// `HealthBoard`.
///
/// Each gateway has its own loop on one event loop, so a slow or hung gateway never delays another.
/// The first probes are spread over one interval; after that each starts `interval` after the
/// previous one started (with a little jitter). A director that shares the probing with its region's
/// other directors (`ProbeShare`) probes only its share (`probe(only:)`). While a verdict is in doubt (an up gateway with
/// counted failures, a down gateway with successes) or after a definitive failure (refused, reset,
/// closed), the next probe comes after the fast interval instead, so a dead gateway is declared down
/// within milliseconds of the operating system saying so. At most `maxConcurrentProbes` run at once.
public final class ProbeScheduler: ServiceLifecycle.Service, Sendable {
    /// A verdict change, as the scheduler reports it to its owner.
    public typealias ChangeHandler = @Sendable (Gateway, GatewayHealth.Change) -> Void

    private let board: HealthBoard
    private let group: any EventLoopGroup
    private let logger: Logger
    private let changeHandlers: NIOLockedValueBox<[ChangeHandler]>
    private let maxConcurrentProbes: Int
    private let loops: NIOLockedValueBox<[GatewayName: GatewayProbeLoop]> = NIOLockedValueBox([:])
    private let configuration: NIOLockedValueBox<Configuration>
    /// What is probed: `share` (`nil`: every gateway) once `running`. Changes to the loops are made
    /// under this lock, one at a time.
    private let plan = NIOLockedValueBox<(share: Set<GatewayName>?, running: Bool)>((nil, false))

    public init(configuration: Configuration, board: HealthBoard, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger, maxConcurrentProbes: Int = 4096,
                onChange: @escaping ChangeHandler = { _, _ in }) {
        self.configuration = NIOLockedValueBox(configuration)
        self.board = board
        self.group = group
        self.logger = logger
        self.maxConcurrentProbes = maxConcurrentProbes
        self.changeHandlers = NIOLockedValueBox([onChange])
    }

    /// Adds a handler called on every verdict change (from the probes' event loops).
    public func onVerdictChange(_ handler: @escaping ChangeHandler) {
        changeHandlers.withLockedValue { $0.append(handler) }
    }

    public func run() async throws {
        plan.withLockedValue { plan in
            plan.running = true
            reconcile(share: plan.share)
        }
        try? await gracefulShutdown()
        plan.withLockedValue { plan in
            plan.running = false
            stop(Array(loops.withLockedValue { $0.keys }))
        }
    }

    /// Probes only `gateways` from now on (`nil`: every gateway of the configuration): loops outside
    /// it stop, new ones start, the others go on without a pause. Returns whether the share changed.
    @discardableResult
    public func probe(only gateways: Set<GatewayName>?) -> Bool {
        plan.withLockedValue { plan in
            guard plan.share != gateways else { return false }
            plan.share = gateways
            // A share taken over is probed at once: its gateways' last prober is gone.
            if plan.running { reconcile(share: gateways, spread: false) }
            return true
        }
    }

    /// The gateways probed now (`nil`: every one).
    public var share: Set<GatewayName>? { plan.withLockedValue { $0.share } }

    /// Starts and stops loops so that exactly the gateways of `share` that the configuration has are
    /// probed (called under `plan`'s lock).
    private func reconcile(share: Set<GatewayName>?, spread: Bool = true) {
        let wanted = configuration.withLockedValue { $0 }.gateways.filter { share?.contains($0.name) ?? true }
        let wantedNames = Set(wanted.map(\.name))
        let running = Set(loops.withLockedValue { $0.keys })
        // A gateway left to a region-mate is forgotten: nothing keeps this director's view of it up.
        stop(running.filter { !wantedNames.contains($0) }, forgetting: share != nil)
        start(wanted.filter { !running.contains($0.name) }, spread: spread)
    }

    /// Switches to a new configuration: unchanged gateways keep probing without a pause, changed
    /// ones restart, removed ones stop.
    public func adopt(_ next: Configuration) {
        let previous = configuration.withLockedValue { current in
            defer { current = next }
            return current
        }
        board.adopt(next, previous: previous)
        let old = Dictionary(previous.gateways.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let new = Dictionary(next.gateways.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        plan.withLockedValue { plan in
            guard plan.running else { return }
            stop(old.keys.filter { new[$0] != old[$0] })
            reconcile(share: plan.share)
        }
    }

    private func start(_ gateways: [Gateway], spread: Bool) {
        var tlsContexts: [String: NIOSSLContext] = [:]
        let contexts = EventLoopContexts(group: group, totalProbes: maxConcurrentProbes)
        for gateway in gateways {
            var tls: NIOSSLContext?
            if gateway.probe.kind == .https {
                let key = "\(gateway.probe.verifyTLS)|\(gateway.probe.caFile ?? "")"
                do {
                    tls = try tlsContexts[key] ?? makeTLSContext(gateway.probe)
                    tlsContexts[key] = tls
                } catch {
                    logger.error("cannot set up TLS for gateway", metadata: ["gateway": "\(gateway.name)", "error": "\(error)"])
                    continue
                }
            }
            let eventLoop = group.next()
            let context = contexts.context(for: eventLoop)
            let loop = GatewayProbeLoop(
                prober: GatewayProber(gateway: gateway, eventLoop: eventLoop, wheel: context.wheel, tlsContext: tls),
                limiter: context.limiter, wheel: context.wheel, board: board,
                logger: logger, onChange: { [changeHandlers] gateway, change in
                    for handler in changeHandlers.withLockedValue({ $0 }) { handler(gateway, change) }
                })
            loops.withLockedValue { $0[gateway.name] = loop }
            eventLoop.execute { loop.start(spread: spread) }
        }
    }

    /// Stops the loops of `names`; with `forgetting`, each then clears its gateway's state on the
    /// board (`HealthBoard.forget`), on its event loop, after the last probe it will record.
    private func stop(_ names: [GatewayName], forgetting: Bool = false) {
        let stopped = loops.withLockedValue { loops in names.compactMap { loops.removeValue(forKey: $0) } }
        for loop in stopped {
            loop.prober.eventLoop.execute { [board] in
                loop.stop()
                if forgetting { board.forget(loop.prober.gateway.name) }
            }
        }
    }

    private func makeTLSContext(_ settings: ProbeSettings) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !settings.verifyTLS { tls.certificateVerification = .none }
        if let caFile = settings.caFile { tls.trustRoots = .file(caFile) }
        return try NIOSSLContext(configuration: tls)
    }
}

/// What the gateways of one event loop share: the bound on probes in flight (the total split
/// evenly over the loops) and the timer wheel.
private final class EventLoopContexts: Sendable {
    struct Context: Sendable {
        var limiter: ProbeLimiter
        var wheel: TimerWheel
    }

    private let contexts: [ObjectIdentifier: Context]

    init(group: any EventLoopGroup, totalProbes: Int) {
        let loops = Array(group.makeIterator())
        let each = max(1, totalProbes / max(1, loops.count))
        contexts = Dictionary(uniqueKeysWithValues: loops.map {
            (ObjectIdentifier($0), Context(limiter: ProbeLimiter(limit: each), wheel: TimerWheel(eventLoop: $0)))
        })
    }

    func context(for eventLoop: any EventLoop) -> Context {
        contexts[ObjectIdentifier(eventLoop)] ?? Context(limiter: ProbeLimiter(limit: 64), wheel: TimerWheel(eventLoop: eventLoop))
    }
}

/// Probes in flight on one event loop; confined to that loop.
final class ProbeLimiter: @unchecked Sendable {
    private let limit: Int
    private var running = 0
    private var waiting: [() -> Void] = []

    init(limit: Int) {
        self.limit = limit
    }

    func acquire(_ work: @escaping () -> Void) {
        if running < limit {
            running += 1
            work()
        } else {
            waiting.append(work)
        }
    }

    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst()()
        }
    }
}
