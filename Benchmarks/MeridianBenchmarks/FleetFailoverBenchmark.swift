import Foundation
import Logging
import MeridianCore
import MeridianServer
import MeridianTesting
import ServiceLifecycle

/// Two directors in Istanbul sharing the probing, one in Ankara, the built-in probe settings: how
/// long the surviving Istanbul director takes to take over the share of one that stops, and then
/// how long every director's DNS answer for an Istanbul client takes to move to Ankara when the
/// Istanbul gateways it took over go `down` (or `hang`): the failover bars with a region-mate gone.
/// Each repetition starts once every director is ready (it has probed its whole share once), and
/// the takeover is watched while the region-mate shuts down (it tells its peers first).
enum FleetFailoverBenchmark {
    static func run(repetitions: Int) async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let world = try await LiveWorld.start(interval: ProbeSettings.defaultInterval, timeout: ProbeSettings.defaultTimeout,
                                              rise: ProbeSettings.defaultRise, fall: ProbeSettings.defaultFall)
        var configuration = world.configuration
        let istanbul = configuration.regions.firstIndex { $0.name == "istanbul" }!
        configuration.regions[istanbul].directors.append(DirectorEndpoints(
            name: "ist-b", dns: SocketAddress("127.0.0.1:15010")!, redirect: SocketAddress("127.0.0.1:16010")!,
            api: SocketAddress("127.0.0.1:17010")!))
        let budget = ConnectionBudget(descriptors: DescriptorLimit.raise(), configuration: configuration, directors: 3)
        func start(_ region: String, _ director: String) throws -> (DirectorService, ServiceGroup, Task<Void, any Error>) {
            var options = DirectorService.Options(region: region, director: director, logger: logger, budget: budget)
            options.credentials = .insecureLoopback(for: DirectorName(director)!)
            let service = try DirectorService(configuration: configuration, options: options)
            let group = ServiceGroup(services: [service], logger: logger)
            return (service, group, Task { try await group.run() })
        }
        let survivor = try start("istanbul", "istanbul"), ankara = try start("ankara", "ankara")
        var mate = try start("istanbul", "ist-b")
        let dnsPorts = [Int(configuration.regions[istanbul].directors[0].dns.port), Int(configuration.region("ankara")!.director.dns.port)]
        func everyAnswer(_ region: String) -> Bool { dnsPorts.allSatisfy { FailoverBenchmark.dnsAnswerRegion(port: $0) == region } }
        func split() -> Bool { survivor.0.director.scheduler.share != nil && mate.0.director.scheduler.share != nil }
        print("two Istanbul directors sharing the probing and one in Ankara, built-in probe settings "
              + "(interval \(ProbeSettings.defaultInterval.shortDescription), timeout \(ProbeSettings.defaultTimeout.shortDescription)); "
              + "answers polled every 10 ms")
        var takeover: [Double] = [], shutdown: [Double] = [], moved: [StandInMode: [Double]] = [:]
        for repetition in 0..<repetitions * 2 {
            let mode: StandInMode = repetition % 2 == 0 ? .down : .hang
            // A running fleet: every director ready (each has probed its whole share once).
            try await poll(within: 30) {
                split() && [survivor, ankara, mate].allSatisfy { $0.0.director.readiness().ready } && everyAnswer("istanbul")
            }
            // The share is watched while the mate shuts down: it says it is leaving first.
            let stoppedAt = ContinuousClock.now
            let stopping = Task { [mate] in
                await mate.1.triggerGracefulShutdown()
                _ = try? await mate.2.value
                return ContinuousClock.now
            }
            try await poll(within: 10) { survivor.0.director.scheduler.share == nil }
            takeover.append((ContinuousClock.now - stoppedAt).seconds)
            shutdown.append((await stopping.value - stoppedAt).seconds)
            let istanbulGateways = configuration.regions[istanbul].gateways.map(\.name)
            let failedAt = ContinuousClock.now
            for name in istanbulGateways { try await world.gateways[name]!.setMode(mode) }
            // When each director's answer moved, to tell which one a slow repetition waited for.
            var movedAt: [Int: ContinuousClock.Instant] = [:]
            try await poll(within: 30) {
                for port in dnsPorts where movedAt[port] == nil && FailoverBenchmark.dnsAnswerRegion(port: port) == "ankara" {
                    movedAt[port] = .now
                }
                return movedAt.count == dnsPorts.count
            }
            let took = (ContinuousClock.now - failedAt).seconds
            moved[mode, default: []].append(took)
            if took > (mode == .down ? 0.4 : 1.9) {
                let each = zip(["istanbul", "ankara"], dnsPorts).map { name, port in
                    String(format: "%@ %.3fs", name, (movedAt[port]! - failedAt).seconds)
                }
                print("  slow \(mode): \(each.joined(separator: ", "))")
            }
            for name in istanbulGateways { try await world.gateways[name]!.setMode(.healthy) }
            mate = try start("istanbul", "ist-b")
        }
        print(String(format: "share of a stopped region-mate taken over: median %.3fs, max %.3fs (%d stops)",
                     median(takeover), takeover.max() ?? 0, takeover.count))
        print(String(format: "the region-mate's own shutdown, for comparison: median %.3fs, max %.3fs",
                     median(shutdown), shutdown.max() ?? 0))
        for mode in [StandInMode.down, .hang] {
            let times = moved[mode] ?? []
            print(String(format: "%@ after the takeover: every director's DNS moved to Ankara: median %.3fs, max %.3fs (%d repetitions)",
                         "\(mode)", median(times), times.max() ?? 0, times.count))
        }
        for running in [survivor, ankara, mate] {
            await running.1.triggerGracefulShutdown()
            _ = try? await running.2.value
        }
        await world.stop()
    }

    /// Polls `condition` every 10 ms for at most `seconds`.
    private static func poll(within seconds: Int, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
