import AsyncHTTPClient
import Foundation
import MeridianCore
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Carries configuration releases from director to director: once per `interval` it looks at what
/// the peers' latest reports announce, and when one outranks the running release (`ReleaseFollowing`
/// decides which, and whether again), fetches it from a peer that announced it (`GET
/// /v1/peer/configuration?serial=N`, signed both ways) and installs it (`Director.install`).
struct ReleaseDistribution: ServiceLifecycle.Service {
    private let director: Director
    private let interval: Duration
    private let tls: TLSConfiguration?

    /// Peers at `https://` URLs are reached with `tls` (`APITLS.peerClient`).
    init(director: Director, interval: Duration? = nil, tls: TLSConfiguration? = nil) {
        self.director = director
        self.tls = tls
        self.interval = interval ?? director.configuration.gateways.map(\.probe.interval).min() ?? .seconds(1)
    }

    func run() async throws {
        guard let peering = director.peering else {
            // Nothing to follow; a service that returned would end the whole group.
            try? await gracefulShutdown()
            return
        }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        configuration.tlsConfiguration = tls
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let interval = self.interval
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await followOnce(peering, client: client)
                try? await Task.sleep(for: interval)
            }
        }
        try? await client.shutdown()
    }

    /// One look at the peers' announcements, and the fetch and install they call for.
    func followOnce(_ peering: Peering, client: HTTPClient) async {
        let now = Timestamp.now
        // Every report was checked whole (`PeerReportCheck`), its announcement with it.
        let heard = peering.reports.compactMapValues(\.report.release)
        let running = director.runningRelease?.rank
        let action = director.releases.following.withLockedValue { $0.next(running: running, heard: heard, at: now) }
        guard case .fetch(let announcement, let peers) = action else { return }
        var outcome = ReleaseFollowing<DirectorName>.Outcome.unreachable
        for peer in peers where outcome == .unreachable {
            guard let url = director.configuration.director(peer)?.endpoints.peerURL else { continue }
            // A fetch signed just before a push to the same peer, and arriving after it, is refused
            // as a replay: one more try, signed afresh.
            for _ in 0..<2 where outcome == .unreachable {
                switch await ReleaseFetch.fetch(announcement.serial, from: peer, at: url, peering: peering, director: director, client: client) {
                case .success(let release) where release.announcement == announcement:
                    outcome = director.install(release, from: peer)
                case .success(let release):
                    director.logger.info("a peer answered with another release than it announced",
                                         metadata: ["peer": "\(peer)", "announced": "\(announcement.rank)", "sent": "\(release.announcement.rank)"])
                case .failure(let failure):
                    director.logger.info("configuration release fetch failed", metadata: ["peer": "\(peer)", "error": "\(failure)"])
                }
            }
        }
        director.releases.following.withLockedValue { $0.finished(announcement.rank, outcome, at: .now) }
    }
}
