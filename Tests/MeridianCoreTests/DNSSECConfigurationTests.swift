import Testing
@testable import MeridianCore

/// `dnssec:` in `global.yaml`: on, off, or its settings, each mistake with file and line.
struct DNSSECConfigurationTests {
    let loader = ConfigurationLoaderTests()

    func global(_ dnssec: String) -> String {
        ConfigurationLoaderTests.global + "\ndnssec:" + dnssec
    }

    @Test func onTakesTheDefaultsAndAMappingSetsThem() throws {
        #expect(try loader.load().dnssec == nil)
        #expect(try loader.load(global: global(" on")).dnssec == DNSSECSettings())
        #expect(try loader.load(global: global(" off")).dnssec == nil)
        let set = try #require(try loader.load(global: global("\n  validity: 14d\n  refresh: 2d\n  inception-offset: 30m\n  key-ttl: 5m")).dnssec)
        #expect(set.validity == .seconds(14 * 86400) && set.refresh == .seconds(2 * 86400))
        #expect(set.inceptionOffset == .seconds(1800) && set.keyTTL == 300)
        #expect(try loader.load(global: global("\n  signing: false")).dnssec == nil)
        #expect(try loader.load(global: global("\n  denial: white-lies")).dnssec?.denial == .whiteLies)
    }

    @Test(arguments: [
        (" maybe", "is not on, off or a mapping"),
        ("\n  validity: 1d\n  refresh: 1d", "at most half the validity"),
        ("\n  validity: 200d", "from 1h to 90d"),
        ("\n  refresh: 1.5s", "whole seconds"),
        ("\n  key-ttl: 2d", "at most 1d"),
        ("\n  denial: nsec3", "is not compact or white-lies"),
    ])
    func mistakesAreReportedWithTheirLine(dnssec: String, expected: String) {
        let problems = loader.problems(global: global(dnssec))
        #expect(problems.contains { $0.message.contains(expected) && $0.location.line != nil }, "\(problems)")
    }
}
