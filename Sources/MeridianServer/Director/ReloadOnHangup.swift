import ServiceLifecycle
import UnixSignals

/// Reloads directors' configuration when the process receives SIGHUP.
public struct ReloadOnHangup: ServiceLifecycle.Service {
    private let directors: [Director]

    public init(directors: [Director]) {
        self.directors = directors
    }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            for director in directors { director.reload() }
        }
    }
}
