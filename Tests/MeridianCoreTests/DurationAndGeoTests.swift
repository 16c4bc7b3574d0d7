import Testing
@testable import MeridianCore

struct DurationTextTests {
    @Test(arguments: [("500ms", 500_000_000), ("2s", 2_000_000_000), ("1.5s", 1_500_000_000), ("1m30s", 90_000_000_000),
                      ("1h", 3_600_000_000_000), ("250us", 250_000), ("1d", 86_400_000_000_000),
                      ("1w", 604_800_000_000_000), ("1y", 31_536_000_000_000_000)] as [(String, Int64)])
    func parsesUnits(_ text: String, _ nanoseconds: Int64) {
        #expect(Duration.parse(text)?.nanoseconds == nanoseconds)
    }

    @Test(arguments: ["", "5", "1.5", "s", "ms", "5 s", "5sec", "-1s", "1..5s", ".5s", "5.s", "1s2", "1e3s", "99999999999d"])
    func rejectsAnythingElse(_ text: String) {
        #expect(Duration.parse(text) == nil)
    }

    @Test func shortDescriptionsReadNaturally() {
        #expect(Duration.milliseconds(400).shortDescription == "400ms")
        #expect(Duration.seconds(2).shortDescription == "2s")
        #expect(Duration.milliseconds(1500).shortDescription == "1.5s")
        #expect(Duration.seconds(90).shortDescription == "1m30s")
        #expect(Duration.seconds(120).shortDescription == "2m")
        #expect(Duration.seconds(7200).shortDescription == "2h")
        #expect(Duration.microseconds(250).shortDescription == "250us")
    }
}

struct GeoPointTests {
    @Test func istanbulToAnkaraIsAboutThreeHundredFiftyKilometres() {
        let distance = TestWorld.istanbul.distance(to: TestWorld.ankara)
        #expect(abs(distance - 350) < 5)
        #expect(TestWorld.ankara.distance(to: TestWorld.istanbul) == distance)
        #expect(TestWorld.istanbul.distance(to: TestWorld.istanbul) == 0)
    }

    @Test func antipodesAreHalfTheCircumferenceApart() {
        let north = GeoPoint(latitude: 90, longitude: 0)!
        let south = GeoPoint(latitude: -90, longitude: 0)!
        #expect(abs(north.distance(to: south) - GeoPoint.earthRadiusKilometres * .pi) < 0.001)
        let west = GeoPoint(latitude: 0, longitude: -180)!
        let east = GeoPoint(latitude: 0, longitude: 180)!
        #expect(west.distance(to: east) < 0.001)
    }

    @Test func outOfRangeCoordinatesAreRejected() {
        #expect(GeoPoint(latitude: 90.1, longitude: 0) == nil)
        #expect(GeoPoint(latitude: 0, longitude: -180.5) == nil)
        #expect(GeoPoint(latitude: .nan, longitude: 0) == nil)
        #expect(GeoPoint(latitude: 0, longitude: .infinity) == nil)
    }
}
