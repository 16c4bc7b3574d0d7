import MeridianCore
import ServiceLifecycle

/// Rebuilds directors' steering snapshots every second, so latencies reach the DNS and redirect
/// answers even when no verdict changes, and also at the moment a snapshot changes by itself (an
/// observation goes stale, a peer with it, an override expires), so those reach the answers at once.
/// Each round also checks that the zone's signer is still the right one (`Director.refreshSigning`).
public struct SnapshotRefresher: ServiceLifecycle.Service {
    private let directors: [Director]
    /// Waking a little after the moment itself makes sure the change has happened.
    private static let margin = Duration.milliseconds(1)

    public init(directors: [Director]) {
        self.directors = directors
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for director in directors {
                director.refreshSigning()
                director.refreshSnapshot()
            }
            let now = Timestamp.now
            let changes = directors.compactMap(\.nextSnapshotChange).filter { $0 > now }
            let wait = changes.min().map { min($0 - now + Self.margin, .seconds(1)) } ?? .seconds(1)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
        }
    }
}
