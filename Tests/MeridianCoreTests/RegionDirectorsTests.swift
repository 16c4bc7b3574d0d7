import Testing
@testable import MeridianCore

/// A region's directors: one `director:` named after the region, or several `directors:` by name,
/// each name and listen address unique across the configuration.
struct RegionDirectorsTests {
    let loader = ConfigurationLoaderTests()

    static let twoInIstanbul = """
        location: {lat: 41.0, lon: 29.0}
        directors:
          ist-a: {dns: "127.0.0.1:10053", redirect: "127.0.0.1:10054", api: "127.0.0.1:10055"}
          ist-b: {dns: "127.0.0.1:11053", redirect: "127.0.0.1:11054", api: "127.0.0.1:11055"}
        gateways:
          ist-1:
            address: 127.0.1.1
        """

    func regions(istanbul: String, ankara: String = ConfigurationLoaderTests.region("ankara", dnsPort: 20053, octet: 2)) -> [String: String] {
        ["istanbul": istanbul, "ankara": ankara]
    }

    @Test func oneDirectorIsNamedAfterItsRegionAndSeveralByTheirKeysInOrder() throws {
        let configuration = try loader.load(regions: regions(istanbul: Self.twoInIstanbul))
        let istanbul = try #require(configuration.region("istanbul"))
        #expect(istanbul.directors.map(\.name) == ["ist-a", "ist-b"])
        #expect(istanbul.directors.map(\.api.port) == [10055, 11055])
        #expect(istanbul.director.name == "ist-a", "the first is the region's director while one runs per region")
        #expect(configuration.region("ankara")?.directors.map(\.name) == ["ankara"])
    }

    @Test func bothKeysOrNeitherAreReported() {
        let both = Self.twoInIstanbul.replacingOccurrences(
            of: "directors:", with: "director: {dns: \"127.0.0.1:12053\", redirect: \"127.0.0.1:12054\", api: \"127.0.0.1:12055\"}\ndirectors:")
        // Reported where `directors` begins (the value of the second key).
        loader.expectProblem(loader.problems(regions: regions(istanbul: both)), file: "istanbul.yaml", line: 4,
                             containing: "give either 'director' (one, named after the region) or 'directors' (several, by name), not both")
        let neither = """
            location: {lat: 41.0, lon: 29.0}
            gateways:
              ist-1:
                address: 127.0.1.1
            """
        loader.expectProblem(loader.problems(regions: regions(istanbul: neither)), file: "istanbul.yaml", line: 1,
                             containing: "the file is missing 'director' (or 'directors', for several)")
        let none = Self.twoInIstanbul.replacingOccurrences(of: "directors:\n", with: "directors: {}\nx:\n")
        #expect(loader.problems(regions: regions(istanbul: none)).contains { $0.message.contains("a region needs at least one director") })
    }

    @Test func directorNamesAndAddressesAreUniqueAcrossRegions() {
        let ankara = """
            location: {lat: 39.9, lon: 32.9}
            directors:
              ist-b: {dns: "127.0.0.1:20053", redirect: "127.0.0.1:20054", api: "127.0.0.1:11055"}
            gateways:
              ank-1:
                address: 127.0.2.1
            """
        let found = loader.problems(regions: regions(istanbul: Self.twoInIstanbul, ankara: ankara))
        loader.expectProblem(found, file: "istanbul.yaml", line: 4,
                             containing: "director 'ist-b' is also a director of ankara (at cfg/ankara.yaml:3:3); director names are unique across regions")
        loader.expectProblem(found, file: "istanbul.yaml", line: 4,
                             containing: "istanbul's director ist-b.api 127.0.0.1:11055 clashes with ankara's director.api 127.0.0.1:11055")
        let badName = Self.twoInIstanbul.replacingOccurrences(of: "ist-b:", with: "Ist_B:")
        loader.expectProblem(loader.problems(regions: regions(istanbul: badName)), file: "istanbul.yaml", line: 4,
                             containing: "'Ist_B' is not a valid director name")
    }
}
