/// Where clients that no network of the table contains are located next (`geoip:` in `global.yaml`).
public struct GeoIPSettings: Hashable, Sendable {
    /// The MaxMind database's path (a relative one is taken from the configuration's folder).
    public var database: String
    /// Where the configuration names it, for problems found when it is read again.
    public var location: SourceLocation

    public init(database: String, location: SourceLocation) {
        self.database = database
        self.location = location
    }
}
