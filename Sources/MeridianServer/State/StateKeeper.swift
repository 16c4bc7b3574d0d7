import ServiceLifecycle

/// Writes directors' observations to their state folders every second when a verdict changed
/// (overrides are written the moment they change), and once more at shutdown, when it also waits for
/// their journals to be written out.
public struct StateKeeper: ServiceLifecycle.Service {
    private let directors: [Director]

    public init(directors: [Director]) {
        self.directors = directors
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for director in directors { director.saveObservationsIfChanged() }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
        for director in directors {
            director.saveObservationsIfChanged()
            director.journal.flush()
        }
    }
}
