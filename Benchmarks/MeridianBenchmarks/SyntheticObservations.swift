import MeridianCore
import MeridianServer
import Synchronization

/// The fleet benchmark's observation source in place of probes. Each director it is given
/// (`add`) sees every gateway up, and from then on "probes" each gateway of its share once a second
/// (a tenth of them every 100 ms, recording the outcome that keeps its verdict), so its
/// observations stay fresh as real probes keep them; its share is the one its scheduler holds
/// (`ProbeScheduler.share`: the directors of a region split its probing). `flip(for:)` then flips,
/// at each director, 0.1 % of the verdicts of its share per second, a tenth every 100 ms (picked at
/// random, none still on its way to the peers; the benchmark's probe settings have rise and fall
/// 1), and watches, every millisecond, for each flip to be held by every other director.
final class SyntheticObservations: Sendable {
    /// A flip on its way to the peers.
    private struct Flip {
        var sender: Int
        var gateway: Int
        var verdict: Verdict
        var at: ContinuousClock.Instant
        /// The directors that do not hold it yet.
        var waiting: [Int]
    }

    private struct State {
        var directors: [Director] = []
        var up: [[Bool]] = []
        var pending: [Flip] = []
        /// Per director, the flips owed (0.1 % of its share a second, in tenths).
        var owed: [Double] = []
        var random = SplitMix(state: 2026)
        var slice = 0
    }

    private let gateways: [GatewayName]
    private let state = Mutex(State())
    private let prober = Mutex<Task<Void, Never>?>(nil)

    init(gateways: [GatewayName]) {
        self.gateways = gateways
        let task = Task { [weak self] in
            while !Task.isCancelled {
                self?.probeSlice()
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        prober.withLock { $0 = task }
    }

    deinit {
        stop()
    }

    /// Stops probing.
    func stop() {
        prober.withLock { $0?.cancel() }
    }

    /// `director` sees every gateway up, and is probed from now on.
    func add(_ director: Director) {
        for gateway in gateways {
            director.record(.success(at: .now, latency: .milliseconds(12)), for: gateway)
        }
        state.withLock { state in
            state.directors.append(director)
            state.up.append(gateways.map { _ in true })
            state.owed.append(0)
        }
    }

    private func probeSlice() {
        state.withLock { state in
            let slice = state.slice
            state.slice = (slice + 1) % 10
            for (index, director) in state.directors.enumerated() {
                let share = director.scheduler.share
                for gateway in stride(from: slice, to: gateways.count, by: 10) where share?.contains(gateways[gateway]) ?? true {
                    director.record(outcome(up: state.up[index][gateway]), for: gateways[gateway])
                }
            }
        }
    }

    private func outcome(up: Bool) -> ProbeOutcome {
        up ? .success(at: .now, latency: .milliseconds(12)) : .failure(at: .now, error: "synthetic")
    }

    /// Flips verdicts for `duration`, then waits up to 2 s for the last ones to arrive. Returns, for
    /// each flip that reached every other director, how long that took in seconds, and how many
    /// flips were made.
    func flip(for duration: Duration) async throws -> (times: [Double], flips: Int) {
        let clock = ContinuousClock()
        let start = clock.now
        var times: [Double] = []
        var flips = 0
        var tick = start
        while clock.now < start + duration {
            if clock.now >= tick {
                flips += flipOnce(at: clock.now)
                tick += .milliseconds(100)
            }
            times += arrived(at: clock.now)
            try await Task.sleep(for: .milliseconds(1))
        }
        let drain = clock.now + .seconds(2)
        while !state.withLock({ $0.pending.isEmpty }) && clock.now < drain {
            times += arrived(at: clock.now)
            try await Task.sleep(for: .milliseconds(1))
        }
        state.withLock { $0.pending.removeAll() }
        return (times, flips)
    }

    private func flipOnce(at now: ContinuousClock.Instant) -> Int {
        state.withLock { state in
            var flips = 0
            for sender in state.directors.indices {
                let share = state.directors[sender].scheduler.share
                state.owed[sender] += Double(share?.count ?? gateways.count) / 10_000
                while state.owed[sender] >= 1 {
                    state.owed[sender] -= 1
                    var gateway = Int(state.random.next() % UInt64(gateways.count))
                    while !(share?.contains(gateways[gateway]) ?? true)
                        || state.pending.contains(where: { $0.sender == sender && $0.gateway == gateway }) {
                        gateway = Int(state.random.next() % UInt64(gateways.count))
                    }
                    state.up[sender][gateway].toggle()
                    let up = state.up[sender][gateway]
                    state.directors[sender].record(outcome(up: up), for: gateways[gateway])
                    state.pending.append(Flip(sender: sender, gateway: gateway, verdict: up ? .up : .down, at: now,
                                              waiting: state.directors.indices.filter { $0 != sender }))
                    flips += 1
                }
            }
            return flips
        }
    }

    /// Takes out of `pending` the flips every other director now holds; returns how long each took.
    private func arrived(at now: ContinuousClock.Instant) -> [Double] {
        state.withLock { state in
            var done: [Double] = []
            let directors = state.directors
            state.pending = state.pending.compactMap { flip in
                var flip = flip
                let name = directors[flip.sender].name
                flip.waiting.removeAll { directors[$0].peerVerdict(of: gateways[flip.gateway], by: name) == flip.verdict }
                guard flip.waiting.isEmpty else { return flip }
                done.append((now - flip.at).seconds)
                return nil
            }
            return done
        }
    }
}
