import Foundation
import Logging
import MeridianCore
import MeridianServer
import MeridianTesting
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// Time from a stand-in gateway going `down` (or `hang`) to the director's `down` verdict, with
/// the built-in probe settings, over several repetitions at random moments within the probe interval.
enum DetectionBenchmark {
    static func run(repetitions: Int) async throws {
        let standIn = try await StandInGateway.start(name: "gw", listen: try .init(ipAddress: "127.0.0.1", port: 0))
        let probe = ProbeSettings(targetHost: "127.0.0.1", targetPort: UInt16(standIn.address.port!))
        print("probe settings: interval \(probe.interval.shortDescription), timeout \(probe.timeout.shortDescription), "
              + "rise \(probe.rise), fall \(probe.fall) (the built-in defaults)")
        let region: RegionName = "bench"
        let gateway = Gateway(name: "gw", region: region, address: IPAddress("127.0.9.1")!, probe: probe)
        let configuration = Configuration(
            zone: DomainName("example.test")!,
            regions: [Region(name: region, location: GeoPoint(latitude: 41, longitude: 29)!,
                             director: DirectorEndpoints(name: DirectorName(region.rawValue)!, dns: SocketAddress("127.0.0.1:1")!, redirect: SocketAddress("127.0.0.1:2")!,
                                                         api: SocketAddress("127.0.0.1:3")!), gateways: [gateway])],
            services: [], networks: [])
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let changes = NIOLockedValueBox<[(Verdict, Timestamp)]>([])
        let board = HealthBoard(configuration)
        let scheduler = ProbeScheduler(configuration: configuration, board: board, logger: logger) { _, change in
            changes.withLockedValue { $0.append((change.to, change.at)) }
        }
        let group = ServiceGroup(services: [scheduler], logger: logger)
        let task = Task { try await group.run() }

        var random = SplitMix(state: 7)
        for mode in [StandInMode.down, .hang] {
            var times: [Double] = []
            for _ in 0..<repetitions {
                try await waitFor(.up, board)
                // Fail at a random moment of the probe cycle.
                try await Task.sleep(for: .milliseconds(Int64(random.next() % 1000)))
                changes.withLockedValue { $0 = [] }
                let failedAt = Timestamp.now
                try await standIn.setMode(mode)
                try await waitFor(.down, board)
                if let seen = changes.withLockedValue({ $0.first { $0.0 == .down }?.1 }) {
                    times.append((seen - failedAt).seconds)
                }
                try await standIn.setMode(.healthy)
            }
            print(String(format: "%@: median %.3fs, min %.3fs, max %.3fs over %d repetitions", "\(mode)",
                         median(times), times.min() ?? 0, times.max() ?? 0, times.count))
        }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await standIn.stop()
    }

    private static func waitFor(_ verdict: Verdict, _ board: HealthBoard) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while board.health["gw"]?.verdict != verdict {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
