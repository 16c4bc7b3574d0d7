import Foundation
import Logging
import MeridianCore
import MeridianServer
import NIOConcurrencyHelpers
import ServiceLifecycle

/// How many gateways one director probes at a 1 s interval, and at what CPU and memory cost.
///
/// Every gateway keeps its own connection to an HTTP server at `127.0.0.1:PORT` (nginx in
/// `Benchmarks/probe-throughput.sh`), so the director does the work of `gateways` real keep-alive
/// probes per second.
enum ProbeThroughputBenchmark {
    static func run(gateways count: Int, port: Int, seconds: Int) async throws {
        let probe = ProbeSettings(targetHost: "127.0.0.1", targetPort: UInt16(port), path: "/health",
                                  interval: .seconds(1), timeout: .milliseconds(500))
        let region: RegionName = "bench"
        let gateways = (0..<count).map { index in
            Gateway(name: GatewayName("gw-\(index)")!, region: region,
                    address: .v4(0x7F0A_0000 | UInt32(index + 1)), probe: probe)
        }
        let director = DirectorEndpoints(name: DirectorName(region.rawValue)!, dns: SocketAddress("127.0.0.1:1")!, redirect: SocketAddress("127.0.0.1:2")!,
                                         api: SocketAddress("127.0.0.1:3")!)
        let configuration = Configuration(
            zone: DomainName("example.test")!,
            regions: [Region(name: region, location: GeoPoint(latitude: 41, longitude: 29)!, director: director, gateways: gateways)],
            services: [], networks: [])
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let board = HealthBoard(configuration)
        let scheduler = ProbeScheduler(configuration: configuration, board: board, logger: logger)
        let group = ServiceGroup(services: [scheduler], logger: logger)
        let task = Task { try await group.run() }

        // Opening thousands of connections at once takes a few seconds; measure the steady state.
        let warmUp = 4 + count / 2000
        print("probing \(count) gateways every 1s against 127.0.0.1:\(port); warming up for \(warmUp)s")
        try await Task.sleep(for: .seconds(warmUp))
        let upBefore = board.health.values.filter { $0.verdict == .up }.count
        let neverProbed = board.health.values.filter { $0.lastOutcome == nil }.count
        let downBefore = board.health.values.filter { $0.verdict == .down }.map { $0.lastOutcome?.error ?? "" }
        print("after warm-up: \(upBefore) up, \(neverProbed) never probed, down: \(Dictionary(grouping: downBefore, by: { $0 }).mapValues(\.count))")
        let (probesBefore, start) = (board.totalProbes, ContinuousClock.now)
        let cpuBefore = processCPUSeconds()
        try await Task.sleep(for: .seconds(seconds))
        let cpu = processCPUSeconds() - cpuBefore
        let (probesAfter, end) = (board.totalProbes, ContinuousClock.now)
        let elapsed = end - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let probes = Int(probesAfter - probesBefore)
        let failures = board.health.values.filter { $0.lastOutcome?.succeeded == false }.count
        let memory = residentMiB()
        await group.triggerGracefulShutdown()
        _ = try? await task.value

        let rate = Double(probes) / wall
        print(String(format: "probes: %.0f/s over %.1fs (%d gateways failing at the end)", rate, wall, failures))
        print(String(format: "CPU: %.2f cores busy, %.1f µs of CPU per probe, %.0f probes/s per core", cpu / wall,
                     cpu / Double(max(probes, 1)) * 1e6, Double(probes) / max(cpu, 1e-9)))
        print(String(format: "resident memory: %.1f MiB", memory))
    }
}
