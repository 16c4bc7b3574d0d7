import Logging
import MeridianCore
import NIOCore

/// The schedule of one gateway's probes; confined to the prober's event loop.
final class GatewayProbeLoop: @unchecked Sendable {
    let prober: GatewayProber
    private let limiter: ProbeLimiter
    private let wheel: TimerWheel
    private let board: HealthBoard
    private let logger: Logger
    private let onChange: ProbeScheduler.ChangeHandler
    /// When the next probe is due; a wheel timer for any other time does nothing.
    private var nextDue: NIODeadline?
    private var running = false
    private var stopped = false
    private var lastStart = NIODeadline.now()

    private var settings: ProbeSettings { prober.gateway.probe }

    init(prober: GatewayProber, limiter: ProbeLimiter, wheel: TimerWheel, board: HealthBoard, logger: Logger,
         onChange: @escaping ProbeScheduler.ChangeHandler) {
        self.prober = prober
        self.limiter = limiter
        self.wheel = wheel
        self.board = board
        self.logger = logger
        self.onChange = onChange
    }

    /// Starts probing: at once, or with `spread` at a random moment of the first interval, so that
    /// thousands of gateways starting together do not probe together.
    func start(spread: Bool = true) {
        prober.onGatewayGone = { [self] in probeSoon(after: .zero) }
        probeSoon(after: spread ? .nanoseconds(Int64.random(in: 0..<max(1, settings.interval.nanoseconds))) : .zero)
    }

    func stop() {
        stopped = true
        nextDue = nil
        prober.shutdown()
    }

    /// Schedules the next probe `delay` from now, unless one is running or due sooner.
    private func probeSoon(after delay: TimeAmount) {
        guard !stopped, !running else { return }
        let due = NIODeadline.now() + delay
        if let nextDue, nextDue <= due { return }
        nextDue = due
        wheel.schedule(at: due) { [self] in
            guard nextDue == due else { return }
            nextDue = nil
            limiter.acquire { [self] in run() }
        }
    }

    private func run() {
        guard !stopped else {
            limiter.release()
            return
        }
        running = true
        lastStart = .now()
        prober.probe { [self] attempt in
            limiter.release()
            running = false
            completed(attempt)
        }
    }

    private func completed(_ attempt: ProbeAttempt) {
        let gateway = prober.gateway
        // A probe cut short by `stop` ("stopped") says nothing of the gateway.
        guard !stopped, let (health, change) = board.record(attempt.outcome, for: gateway.name) else { return }
        if let change {
            logger.notice("gateway \(change.to.rawValue)", metadata: [
                "gateway": "\(gateway.name)", "region": "\(gateway.region)", "reason": "\(change.reason)",
            ])
            onChange(gateway, change)
        } else if !attempt.outcome.succeeded {
            logger.debug("probe failed", metadata: ["gateway": "\(gateway.name)", "error": "\(attempt.outcome.error ?? "")"])
        }
        let inDoubt = (health.verdict == .up && health.strikes > 0)
            || (health.verdict == .down && health.consecutiveSuccesses > 0)
        // A definitive failure is checked again at once, until the gateway is down.
        if (attempt.definitive && health.verdict != .down) || inDoubt {
            probeSoon(after: prober.fastInterval)
        } else {
            let jitter = Int64.random(in: -(settings.interval.nanoseconds / 50)...(settings.interval.nanoseconds / 50))
            let due = lastStart + .nanoseconds(settings.interval.nanoseconds + jitter)
            probeSoon(after: max(.zero, due - .now()))
        }
    }
}
