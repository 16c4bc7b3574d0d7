import Foundation
import MeridianTesting
import Testing
@testable import MeridianCore
@testable import MeridianServer

/// Client locations from MaxMind databases written by mmdb-writer: records, the groups that keep
/// answers prebuilt, the configuration's checks, and a director answering from them.
@Suite(.serialized)
struct GeoIPTests {
    static let izmir = TestGeoDatabase.Entry("203.0.113.0/24", city: "Izmir", country: "TR",
                                             location: (38.42, 27.14), accuracyKilometres: 20)
    static let ankara = TestGeoDatabase.Entry("192.0.2.0/24", city: "Ankara", country: "TR",
                                              location: (39.93, 32.86), accuracyKilometres: 50)
    static let germany = TestGeoDatabase.Entry("198.51.100.0/24", country: "DE")

    @Test func aCityRecordLocatesAndACountryOnlyRecordTakesTheCountrysPoint() throws {
        let database = try GeoDatabase(path: TestGeoDatabase.write([Self.izmir, Self.germany]))
        #expect(database.type == "GeoIP2-City")
        let city = try #require(database.record(for: IPAddress("203.0.113.77")!))
        #expect(city.city == "Izmir" && city.country == "TR" && city.accuracyKilometres == 20)
        #expect(abs(city.point.latitude - 38.42) < 1e-9 && abs(city.point.longitude - 27.14) < 1e-9)
        #expect(city.description == "Izmir, TR (accuracy 20 km)")
        // The same record through an IPv4-mapped IPv6 address.
        #expect(database.record(for: IPAddress("::ffff:203.0.113.1")!)?.offset == city.offset)
        let country = try #require(database.record(for: IPAddress("198.51.100.5")!))
        #expect(country.city == nil && country.country == "DE" && country.point == CountryPoints.point("DE"))
        #expect(country.description == "DE (the country's point)")
        #expect(database.record(for: IPAddress("8.8.8.8")!) == nil)
        #expect(database.record(for: IPAddress("2001:db8::1")!) == nil)
    }

    @Test func everyRecordIsGroupedWithRecordsOfTheSameRegionOrder() throws {
        // A grid of places over Anatolia and the Aegean, one /24 each.
        var entries: [TestGeoDatabase.Entry] = []
        for row in 0..<12 {
            for column in 0..<20 {
                entries.append(TestGeoDatabase.Entry("100.64.\(row * 20 + column).0/24", country: "TR",
                                                     location: (36.0 + Double(row) * 0.6, 25.0 + Double(column) * 0.8)))
            }
        }
        let database = try GeoDatabase(path: TestGeoDatabase.write(entries))
        let regions = try ConfigurationLoader.load(directory: CommandRunner.packageRoot.appendingPathComponent("regions").path).regions
        #expect(regions.map(\.name.rawValue) == ["ankara", "istanbul", "izmir"])
        let places = try GeoPlaces(database: database, regions: regions)
        // Three regions order in at most 3! · 2² = 24 ways counting ties (6 without); this grid sees several.
        #expect(places.count > 1 && places.count <= 24, "\(places.count) groups")
        #expect(places.orderedRegions == 3)
        for (index, entry) in entries.enumerated() {
            let address = IPAddress("100.64.\(index).9")!
            let group = try #require(places.group(for: address), "\(entry.network)")
            let point = try #require(database.record(for: address)).point
            #expect(GeoPlaces.RegionOrder(from: point, regions: regions, depth: 3)
                    == GeoPlaces.RegionOrder(from: places.representatives[group].point, regions: regions, depth: 3))
        }
        #expect(places.group(for: IPAddress("8.8.8.8")!) == nil)
    }

    @Test func aMissingTruncatedOrRandomDatabaseIsReportedAtItsLine() throws {
        let good = try TestGeoDatabase.write([Self.izmir])
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = good + ".truncated", random = good + ".random"
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }).write(to: URL(fileURLWithPath: random))
        for path in [truncated, random, good + ".missing"] {
            let problems = Self.problems(geoip: path)
            let problem = try #require(problems.first { $0.message.contains("cannot be used as a GeoIP database") }, "\(problems)")
            #expect(problem.location.file.hasSuffix("global.yaml") && problem.location.line == 2, "\(problem)")
        }
        #expect(Self.problems(geoip: good).isEmpty)
        let configuration = try ConfigurationLoader.load(files: Self.files(geoip: good))
        #expect(configuration.geoIP?.database == good)
    }

    @Test func aDirectorLocatesUnlistedClientsByGeoIPAfterTheNetworksTable() async throws {
        // 10.34.0.0/16 is istanbul-metro in the networks table; the database would put it in Ankara.
        let database = try TestGeoDatabase.write([Self.izmir, Self.ankara,
                                                  TestGeoDatabase.Entry("10.34.0.0/16", location: (39.93, 32.86))])
        var world = try await LiveWorld.start(perRegion: 1, withIzmir: true)
        world.configuration.geoIP = GeoIPSettings(database: database, location: SourceLocation(file: "test"))
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        func answer(_ subnet: String) throws -> [String] {
            try DigRunner.dig(port: running.dnsPort, ["+short", "+subnet=\(subnet)", "api.example.test"])
                .split(separator: "\n").map(String.init)
        }
        #expect(await eventually { (try? answer("203.0.113.5/32")) == ["127.0.3.1"] })
        #expect(try answer("192.0.2.9/32") == ["127.0.2.1"])
        #expect(try answer("10.34.1.1/32") == ["127.0.1.1"])
        // In neither: near the answering director, Istanbul.
        #expect(try answer("8.8.8.8/32") == ["127.0.1.1"])
        let explain = try DigRunner.dig(port: running.dnsPort, ["+short", "+subnet=203.0.113.5/32", "TXT", "_explain.api.example.test"])
        #expect(explain.contains("located by GeoIP: Izmir, TR (accuracy 20 km)"), "\(explain)")
        let (status, body, _) = try await running.get("/v1/explain?service=api&client=203.0.113.5")
        let report = try JSONDecoder().decode(DecisionReport.self, from: body)
        #expect(status == 200 && report.client.source == "geoip" && report.client.place == "Izmir, TR"
                && report.client.accuracyKilometres == 20 && report.region == "izmir")
        // A new database file (moved into place, as updaters do) is read within the watcher's interval.
        let moved = try TestGeoDatabase.write([TestGeoDatabase.Entry("203.0.113.0/24", location: (39.93, 32.86))])
        #expect(rename(moved, database) == 0)
        #expect(await eventually { (try? answer("203.0.113.5/32")) == ["127.0.2.1"] })
        // A broken one is refused and counted; the one in use stays.
        try Data(repeating: 0x5a, count: 2048).write(to: URL(fileURLWithPath: database))
        #expect(await eventually {
            (try? await running.get("/metrics").body).map { String(decoding: $0, as: UTF8.self) }?
                .contains("meridian_geoip_reloads_total{outcome=\"refused\"} 1") ?? false
        })
        #expect(try answer("203.0.113.5/32") == ["127.0.2.1"])
        await running.stop()
        await world.stop()
    }

    @Test func theRealGeoLite2CityDataPlacesWellKnownAddressesInTheirCountries() throws {
        // PyPI's maxminddb-geolite2 ships a GeoLite2 City database (.ci/run installs it); the
        // addresses are only looked up.
        let path = try TestGeoDatabase.geoLite2City()
        let database = try GeoDatabase(path: path)
        #expect(database.type == "GeoLite2-City")
        let expected = ["8.8.8.8": "US", "77.88.8.8": "RU", "193.0.6.139": "NL", "200.160.2.3": "BR",
                        "202.12.27.33": "JP", "195.175.39.39": "TR", "2001:4860:4860::8888": "US"]
        for (address, country) in expected {
            #expect(database.record(for: IPAddress(address)!)?.country == country, "\(address)")
        }
        #expect(database.record(for: IPAddress("193.0.6.139")!)?.description.hasPrefix("Amsterdam, NL (accuracy") == true)
        let regions = try ConfigurationLoader.load(directory: CommandRunner.packageRoot.appendingPathComponent("regions").path).regions
        let places = try GeoPlaces(database: database, regions: regions)
        #expect(places.count > 1 && places.count <= 24, "\(places.count) groups")
        // Türk Telekom's resolver in Istanbul is grouped with places nearest Istanbul.
        let istanbul = try #require(places.group(for: IPAddress("195.175.39.39")!))
        let order = GeoPlaces.RegionOrder(from: places.representatives[istanbul].point, regions: regions, depth: 3)
        #expect(regions[order.nearest[0]].name.rawValue == "istanbul")
    }

    private static func files(geoip path: String) -> [ConfigurationLoader.SourceFile] {
        CommandRunner.shippedRegionFiles.map { name in
            let text = (try? String(contentsOfFile: CommandRunner.packageRoot.appendingPathComponent("regions/\(name)").path, encoding: .utf8)) ?? ""
            return ConfigurationLoader.SourceFile(
                name: "cfg/\(name)", text: name == "global.yaml" ? "geoip:\n  database: \(path)\n" + text : text)
        }
    }

    private static func problems(geoip path: String) -> [ConfigProblem] {
        do {
            _ = try ConfigurationLoader.load(files: files(geoip: path))
            return []
        } catch {
            return error.problems
        }
    }
}
