import Foundation
import Logging
import MeridianCore
import MeridianServer
import ServiceLifecycle

/// The exchange of a whole fleet over real HTTP on loopback: every director a `DirectorService`
/// in this process, with its API on 127.0.0.1 (where its peers' streams and reports arrive) and its
/// own key, exchanging with every other director as `meridian serve` does. In place of probes, a
/// synthetic observation source flips 0.1 % of the verdicts of each director's probe share per second, spread evenly
/// over the second; the directors do not rebuild their answers (`DirectorService.Options.steers`),
/// which at this size is a core's work per director (`meridian-benchmarks steering`) and would not
/// fit twenty of them on one small machine. Measured over a window after a warm-up: the bytes of
/// HTTP bodies each director sends and receives per second, the CPU of the whole process per
/// director, and for every flip the time until every other director holds the new verdict
/// (polled every millisecond). Run once with the streamed exchange and once with full JSON reports
/// (the previous version's exchange) at the same rate of change.
enum FleetExchangeBenchmark {
    /// One phase's figures.
    struct Figures {
        var sentPerSecond: Double
        var receivedPerSecond: Double
        var cpuPerDirector: Double
        var propagation: [Double]
        var flips: Int

        /// The figures as one line of output.
        func line(_ name: String) -> String {
            let sorted = propagation.sorted()
            func percentile(_ fraction: Double) -> String {
                sorted.isEmpty ? "-" : String(format: "%.1f ms", sorted[min(Int(Double(sorted.count) * fraction), sorted.count - 1)] * 1000)
            }
            return String(format: "  %@: sends %.0f B/s, receives %.0f B/s per director; CPU %.1f ms/s per director; "
                          + "a change reached every director: p50 %@, p99 %@ (%d of %d changes within the window)",
                          name, sentPerSecond, receivedPerSecond, cpuPerDirector * 1000, percentile(0.5), percentile(0.99),
                          propagation.count, flips)
        }
    }

    /// Runs each shape of `shapes` (directors, gateways), by default the issue's two; with `reports`
    /// false, the streamed exchange only.
    static func run(seconds: Int, shapes: [(directors: Int, gateways: Int)] = [(20, 10_000), (5, 50_000)], reports: Bool = true) async throws {
        print("meridian-benchmarks fleet: directors over real HTTP on 127.0.0.1, each with its own key (streams opened signed, records tagged);")
        print("a synthetic observation source in place of probes changes 0.1 % of each director's verdicts per second")
        print("(of the gateways it probes: the two directors of each region split its probing);")
        print("the directors exchange, but do not rebuild their answers (see `meridian-benchmarks steering` for that cost)")
        for (directors, gateways) in shapes {
            print("\(directors) directors x \(gateways) gateways, \(seconds) s after a warm-up:")
            let streamed = try await measure(directors: directors, gateways: gateways, streams: true, seconds: seconds, ports: 27000)
            print(streamed.line("streamed exchange"))
            guard reports else { continue }
            let reportsPerSecond: Double
            if directors * gateways <= liveReportLimit {
                let reported = try await measure(directors: directors, gateways: gateways, streams: false, seconds: seconds, ports: 27100)
                print(reported.line("full JSON reports"))
                reportsPerSecond = reported.sentPerSecond
            } else {
                reportsPerSecond = try requiredReportBytes(directors: directors, gateways: gateways)
                print(String(format: "  full JSON reports: not run live at this size. One report of every gateway is %.0f bytes; pushed to "
                             + "%d peers every second that is %.0f B/s sent and as much received and decoded per director, "
                             + "%.0f MB/s in all, which two cores cannot carry (they are run live up to %d directors x gateways)",
                             reportsPerSecond / Double(directors - 1), directors - 1, reportsPerSecond,
                             reportsPerSecond * Double(directors) / 1_000_000, liveReportLimit))
            }
            print(String(format: "  ratio: %.0fx fewer bytes sent with the streamed exchange", reportsPerSecond / max(streamed.sentPerSecond, 1)))
        }
    }

    /// The largest fleet (directors x gateways) whose full JSON reports are measured live.
    static let liveReportLimit = 40_000

    /// The bytes per second a director of the previous version sends: its report of every gateway,
    /// JSON as it pushes it, to every other director once a second.
    static func requiredReportBytes(directors: Int, gateways: Int) throws -> Double {
        let configuration = FleetConfiguration.make(directors: directors, gateways: gateways)
        let director = configuration.directors[0].endpoints.name
        let now = Timestamp.now
        let report = PeerReport(from: director, sentAt: now, fingerprint: PeerReport.reported(configuration.fingerprint),
                                observations: configuration.gateways.map {
                                    Observation(gateway: $0.name, observer: director, verdict: .up, latency: .milliseconds(12), at: now)
                                })
        return Double(try JSONEncoder().encode(report).count * (directors - 1))
    }

    static func measure(directors directorCount: Int, gateways gatewayCount: Int, streams: Bool, seconds: Int,
                        ports: Int) async throws -> Figures {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let configuration = FleetConfiguration.make(directors: directorCount, gateways: gatewayCount, apiPorts: ports)
        // Nothing probes: the descriptors go to the peers' connections.
        let budget = ConnectionBudget(descriptors: DescriptorLimit.raise(), gateways: 0, peers: directorCount, directors: directorCount)
        var running: [(service: DirectorService, group: ServiceGroup, task: Task<Void, any Error>)] = []
        defer {
            for director in running { Task { await director.group.triggerGracefulShutdown() } }
        }
        let gateways = configuration.gateways.map(\.name)
        let last = gateways[gateways.count - 1]
        // The directors join one at a time, each once the ones before hold each other's views (twenty
        // starting at once on two cores would first spend a minute sending each other snapshots).
        let joinStart = ContinuousClock.now
        var converging = true
        let source = SyntheticObservations(gateways: gateways)
        defer { source.stop() }
        for (region, endpoints) in configuration.directors {
            var options = DirectorService.Options(region: region.rawValue, director: endpoints.name.rawValue, logger: logger, budget: budget)
            options.credentials = .insecureLoopback(for: endpoints.name)
            options.addresses = [.dns: DirectorService.Options.ephemeralLoopback, .redirect: DirectorService.Options.ephemeralLoopback]
            options.dnsThreads = 1
            options.redirectThreads = 1
            options.greets = false
            options.probes = false
            options.steers = false
            options.streams = streams
            let service = try DirectorService(configuration: configuration, options: options)
            let group = ServiceGroup(services: [service], logger: logger)
            running.append((service, group, Task { try await group.run() }))
            source.add(service.director)
            let joined = running.map(\.service.director)
            guard converging else { continue }
            converging = try await poll(within: .seconds(60)) {
                joined.allSatisfy { sender in
                    // A gateway the sender probes (one outside its share goes `unknown` once stale).
                    let probed = gateways.last { sender.scheduler.share?.contains($0) ?? true } ?? last
                    return joined.allSatisfy { $0 === sender || $0.peerVerdict(of: probed, by: sender.name) == .up }
                }
            }
            if !converging {
                print("  (\(streams ? "streamed" : "JSON"): \(joined.count) directors did not all hold each other's views within 60 s; the rest start without waiting)")
            }
        }
        let directors = running.map(\.service.director)
        print(String(format: "  (%@: %d directors joined one at a time in %.1f s)", streams ? "streamed" : "JSON", directorCount,
                     (ContinuousClock.now - joinStart).seconds))
        // Long enough for the observations outside a share to go stale once (a burst of `unknown` verdicts).
        _ = try await source.flip(for: .seconds(6))
        let before = directors.map(\.peerBytes)
        let cpuBefore = processCPUSeconds()
        let started = ContinuousClock.now
        let propagation = try await source.flip(for: .seconds(Int64(seconds)))
        let elapsed = (ContinuousClock.now - started).seconds
        let cpu = processCPUSeconds() - cpuBefore
        let after = directors.map(\.peerBytes)
        let sent = zip(before, after).map { Double($1.sent - $0.sent) }.reduce(0, +)
        let received = zip(before, after).map { Double($1.received - $0.received) }.reduce(0, +)
        for director in running {
            await director.group.triggerGracefulShutdown()
            _ = try? await director.task.value
        }
        running.removeAll()
        let perDirector = Double(directorCount) * elapsed
        return Figures(sentPerSecond: sent / perDirector, receivedPerSecond: received / perDirector,
                       cpuPerDirector: cpu / perDirector, propagation: propagation.times, flips: propagation.flips)
    }

    /// Polls `condition` every 10 ms until it holds, for at most `limit`; returns whether it held.
    static func poll(within limit: Duration, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}
