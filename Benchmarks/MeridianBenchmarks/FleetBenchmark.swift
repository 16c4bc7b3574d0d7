import Foundation
import MeridianCore

/// The exchange's cost in a fleet, in one process and without sockets: `directors` ledgers, each
/// with its own view of `gateways` gateways, where a synthetic observation source (no probes) flips
/// 0.1 % of each director's verdicts once a second; every director's frames to every peer are
/// encoded, and one director decodes and takes what its peers send it. Beside it, the same fleet
/// sending today's full JSON report to every peer each second. It counts the frame bytes plus the
/// stream's per-record cost (a 16-byte tag, two varints and the chunk's framing); the time the tags
/// take and the HTTP round trips are not in it, so it gives no propagation time.
enum FleetBenchmark {
    /// What one record costs besides its frame: tag, number and length, chunk framing.
    static let recordOverhead = 16 + 4 + 8

    static func run(seconds: Int) {
        print("meridian-benchmarks fleet-ledgers: in-process exchange of ledgers (no HTTP, no time for the tags);")
        print("synthetic observations in place of probes: 0.1 % of each director's verdicts change per second")
        for (directors, gateways) in [(20, 10_000), (5, 50_000)] {
            measure(directors: directors, gateways: gateways, seconds: seconds)
        }
    }

    static func measure(directors directorCount: Int, gateways gatewayCount: Int, seconds: Int) {
        let directors = (0..<directorCount).map { DirectorName("director-\($0)")! }
        let gateways = (0..<gatewayCount).map { GatewayName("gw-\($0)")! }
        let limits = ExchangeLimits(largestCount: gateways.count + 64, largestPayload: gateways.count * 80 + 4096)
        let start = Timestamp(secondsSinceEpoch: 1_800_000_000)
        var random = SplitMix(state: UInt64(gatewayCount))
        var views = directors.map { _ in gateways.map { _ in Verdict.up } }
        var ledgers = directors.enumerated().map { index, _ in
            ExchangeLedger<DirectorName>(epoch: UInt64(index + 1), settings: .init(heartbeatInterval: .seconds(1)))
        }
        var receiver = ExchangeLedger<DirectorName>(epoch: 1000, settings: .init(heartbeatInterval: .seconds(1)))
        let changes = max(gateways.count / 1000, 1)
        var sent = 0, received = 0
        var cpu: Duration = .zero
        let clock = ContinuousClock()
        for second in 0...seconds {
            let now = start + .seconds(Int64(second))
            for index in directors.indices where second > 0 {
                for _ in 0..<changes {
                    let gateway = Int(random.next() % UInt64(gateways.count))
                    views[index][gateway] = views[index][gateway] == .up ? .down : .up
                }
            }
            let elapsed = clock.measure {
                for (index, director) in directors.enumerated() {
                    let observations = zip(gateways, views[index]).map { gateway, verdict in
                        Observation(gateway: gateway, observer: director, verdict: verdict, latency: .milliseconds(12), at: now)
                    }
                    ledgers[index].sync(observations: observations, overrides: [], at: now)
                    for peer in directors where peer != director {
                        for frame in ledgers[index].frames(for: peer, at: now) {
                            let bytes = frame.encoded()
                            if second > 0 { sent += bytes.count + recordOverhead }
                            guard peer == directors[0], let decoded = try? ExchangeFrame(decoding: bytes, limits: limits) else { continue }
                            if second > 0 { received += bytes.count + recordOverhead }
                            _ = receiver.receive(decoded, from: director, at: now)
                        }
                    }
                }
            }
            if second > 0 { cpu += elapsed }
        }
        let held = receiver.replicas.values.reduce(0) { $0 + $1.count }
        let json = jsonCost(directors: directors, gateways: gateways, at: start)
        let perDirectorSent = Double(sent) / Double(directors.count * seconds)
        let perDirectorReceived = Double(received) / Double(seconds)
        let exchangeCPU = cpu.milliseconds / Double(directors.count * seconds)
        print(String(format: "%d directors x %d gateways, %d s: exchange sends %.0f B/s and receives %.0f B/s per director, %.2f ms CPU/s (holds %d of %d peer values)",
                     directors.count, gateways.count, seconds, perDirectorSent, perDirectorReceived, exchangeCPU,
                     held, gateways.count * (directors.count - 1)))
        print(String(format: "  full JSON reports: %.0f B/s sent and received per director, %.1f ms CPU/s; ratio %.0fx fewer bytes, %.0fx less CPU",
                     json.bytes, json.milliseconds, json.bytes / max(perDirectorSent, 1), json.milliseconds / max(exchangeCPU, 0.001)))
    }

    /// One rebuild of a director's answers (`Assessment.make`) from the observations of a fleet of
    /// `directors` directors that each see all `gateways` gateways.
    static func steering(directors: Int, gateways: Int) {
        let configuration = FleetConfiguration.make(directors: directors, gateways: gateways)
        let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
        let observations = configuration.gateways.flatMap { gateway in
            configuration.directors.map { Observation(gateway: gateway.name, observer: $0.endpoints.name, verdict: .up, latency: .milliseconds(12), at: now) }
        }
        let peers = configuration.directors.map(\.endpoints.name)
        meridian_benchmarks.measure("steering snapshot, \(directors) directors x \(gateways) gateways", operations: 1, rounds: 5) {
            Assessment.make(configuration, observations: observations, overrides: [], vantage: peers[0], peers: Array(peers.dropFirst()), now: now).sites.count
        }
    }

    /// Bytes each director sends per second with full JSON reports (one to every peer), and the CPU
    /// of encoding one and decoding one from every peer.
    static func jsonCost(directors: [DirectorName], gateways: [GatewayName], at now: Timestamp) -> (bytes: Double, milliseconds: Double) {
        let report = PeerReport(from: directors[0], sentAt: now, fingerprint: "fnv1a64:0123456789abcdef", observations: gateways.map {
            Observation(gateway: $0, observer: directors[0], verdict: .up, latency: .milliseconds(12), consecutiveSuccesses: 3, at: now)
        })
        let clock = ContinuousClock()
        var body = Data()
        let encoding = clock.measure { body = (try? JSONEncoder().encode(report)) ?? Data() }
        let decoding = clock.measure { _ = try? JSONDecoder().decode(PeerReport.self, from: body) }
        let peers = Double(directors.count - 1)
        return (Double(body.count + 300) * peers, encoding.milliseconds + decoding.milliseconds * peers)
    }
}
