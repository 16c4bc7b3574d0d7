import ServiceLifecycle

/// Rebuilds directors' steering snapshots every second, so latencies and the freshness of
/// observations reach the DNS answers even when no verdict changes.
public struct SnapshotRefresher: ServiceLifecycle.Service {
    private let directors: [Director]

    public init(directors: [Director]) {
        self.directors = directors
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for director in directors { director.refreshSnapshot() }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }
}
