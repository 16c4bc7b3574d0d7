import Foundation

/// `geoip: {database: FILE}` in `global.yaml`. The database is opened here, so that `check` and a
/// reload refuse a file that is missing, truncated or not a MaxMind database, at the key's line.
extension GlobalFile {
    static func readGeoIP(_ value: YAMLValue) -> GeoIPSettings? {
        guard var reader = MappingReader(value) else { return nil }
        let field = reader.required("database")
        let written = field?.string()
        reader.finish()
        guard let field, let written else { return nil }
        let folder = (value.location.file as NSString).deletingLastPathComponent
        let path = written.hasPrefix("/") || folder.isEmpty ? written : (folder as NSString).appendingPathComponent(written)
        do {
            _ = try GeoDatabase(path: path)
        } catch {
            field.report("cannot be used as a GeoIP database: \(error.reason) (\(path))")
            return nil
        }
        return GeoIPSettings(database: path, location: field.location)
    }
}
