import Foundation
import MeridianCore
import NIOConcurrencyHelpers

/// Which GeoIP database file a director read last (by inode, size and modification time), and how
/// its reloads went, for `/metrics`.
final class GeoIPKeeper: Sendable {
    /// What tells one version of a file from the next.
    struct FileStamp: Hashable {
        var path: String
        var inode: UInt64
        var size: UInt64
        var modified: Date

        init?(_ path: String) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
            self.path = path
            inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
            size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
            modified = attributes[.modificationDate] as? Date ?? .distantPast
        }
    }

    private struct Held {
        var stamp: FileStamp?
        var reloads: [String: Int] = [:]
        var database: (type: String, built: Date, groups: Int)?
    }

    private let held = NIOLockedValueBox(Held())

    /// Whether the file at `path` changed since it was last seen here (recording what it is now); a
    /// file not seen before is only recorded. A missing file counts as a change once.
    func changed(_ path: String) -> Bool {
        let stamp = FileStamp(path)
        return held.withLockedValue { held in
            defer { held.stamp = stamp }
            guard let previous = held.stamp, previous.path == path else { return false }
            return previous != stamp
        }
    }

    /// Counts a reload by its outcome (`reloaded` or `refused`).
    func count(_ outcome: String) {
        held.withLockedValue { $0.reloads[outcome, default: 0] += 1 }
    }

    /// Records the database a configuration just read (at start or when it is adopted), and its file.
    func adopted(_ loaded: Director.LoadedConfiguration) {
        using(loaded.locator.geo)
        // A file already watched stays so: a change to it is the watcher's to read (the grouping
        // may have been reused, not read again).
        guard let path = loaded.configuration.geoIP?.database else { return }
        held.withLockedValue { held in
            if held.stamp?.path != path { held.stamp = FileStamp(path) }
        }
    }

    /// Records the database in use.
    func using(_ places: GeoPlaces?) {
        held.withLockedValue { $0.database = places.map { ($0.database.type, $0.database.built, $0.count) } }
    }

    /// The database in use and the reloads, for `/metrics`.
    func write(to writer: inout PrometheusTextWriter) {
        let held = self.held.withLockedValue { $0 }
        guard let database = held.database else { return }
        writer.family(.geoIPDatabaseBuilt)
        writer.sample(.geoIPDatabaseBuilt, ["type": database.type], Int64(database.built.timeIntervalSince1970))
        writer.family(.geoIPPlaceGroups)
        writer.sample(.geoIPPlaceGroups, [:], Int64(database.groups))
        writer.family(.geoIPReloads)
        for outcome in ["reloaded", "refused"] {
            writer.sample(.geoIPReloads, ["outcome": outcome], Int64(held.reloads[outcome] ?? 0))
        }
    }
}
