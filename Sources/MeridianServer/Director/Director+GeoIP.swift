import MeridianCore
import ServiceLifecycle

/// The GeoIP database, read again when its file changes.
extension Director {
    /// Reads the configuration's GeoIP database again when its file changed since it was last read:
    /// a good file replaces the one in use (the next snapshot's answers are built from it); a broken
    /// or missing one is refused, journaled and counted, and the one in use stays.
    func reloadGeoIPIfChanged() {
        let inForce = loadedConfiguration.configuration
        guard let settings = inForce.geoIP, geoIP.changed(settings.database) else { return }
        do {
            guard let places = try GeoPlaces(inForce) else { return }
            let replaced = loaded.withLockedValue { loaded -> Bool in
                guard loaded.configuration.geoIP == settings else { return false }
                loaded.locator = ClientLocator(loaded.configuration, geo: places)
                return true
            }
            guard replaced else { return }
            geoIP.count("reloaded")
            geoIP.using(places)
            logger.notice("GeoIP database reloaded", metadata: ["path": "\(settings.database)", "groups": "\(places.count)"])
            journal.record(.configuration, "geoip", "database reloaded: \(places.database.type), \(places.count) place groups")
            refreshSnapshot()
        } catch {
            geoIP.count("refused")
            logger.error("GeoIP database reload refused; the one in use stays", metadata: ["reason": "\(error)"])
            journal.record(.configuration, "geoip", "reload refused, the database in use stays: \(error)")
        }
    }
}

/// Looks at each director's GeoIP database file every `interval` and reads a changed one again.
struct GeoIPWatcher: ServiceLifecycle.Service {
    let directors: [Director]
    var interval: Duration = .seconds(2)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            for director in directors { director.reloadGeoIPIfChanged() }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
