import MeridianCore
import MeridianTesting

/// Client location from the GeoLite2 City data that PyPI's maxminddb-geolite2 ships: how long the
/// database takes to open and group for the shipped regions, and what one lookup costs on the
/// answer path (the record's place group) and for an explanation (the whole record).
enum GeoIPBenchmark {
    static func run(regions configuration: Configuration) throws {
        guard let path = try? TestGeoDatabase.geoLite2City() else {
            print("GeoIP: skipped (python3 -m pip install maxminddb-geolite2)")
            return
        }
        let clock = ContinuousClock()
        var database: GeoDatabase?
        let opened = try clock.measure { database = try GeoDatabase(path: path) }
        guard let database else { return }
        var places: GeoPlaces?
        let grouped = try clock.measure { places = try GeoPlaces(database: database, regions: configuration.regions) }
        guard let places else { return }
        print("GeoLite2 City: opened (a private copy) in \(opened.shortDescription), \(database.nodeCount) nodes grouped "
              + "into \(places.count) place groups for \(configuration.regions.count) regions in \(grouped.shortDescription)")
        var random = SplitMix(state: 17)
        let addresses: [IPAddress] = (0..<1_000_000).map { _ in
            random.next() % 5 == 0 ? .v6(0x2000 << 112 | (UInt128(random.next()) << 64 | UInt128(random.next())) >> 3)
                                   : .v4(UInt32(truncatingIfNeeded: random.next()))
        }
        measure("GeoIP place group, random v4/v6 addresses (the answer path)", operations: addresses.count) {
            var found = 0
            for address in addresses where places.group(for: address) != nil { found &+= 1 }
            return found
        }
        let explained = Array(addresses.prefix(20_000))
        measure("GeoIP whole record, random v4/v6 addresses (explanations)", operations: explained.count) {
            var found = 0
            for address in explained where database.record(for: address) != nil { found &+= 1 }
            return found
        }
    }
}
