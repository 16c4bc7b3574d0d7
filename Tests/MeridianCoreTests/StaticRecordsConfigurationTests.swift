import Testing
@testable import MeridianCore

/// `records:` in `global.yaml`: what loads, and every mistake reported with file and line.
struct StaticRecordsConfigurationTests {
    let loader = ConfigurationLoaderTests()

    func global(records: String) -> String {
        ConfigurationLoaderTests.global + "\nrecords:\n" + records
    }

    @Test func theShippedFolderHasStaticRecords() throws {
        let configuration = try ConfigurationLoader.load(directory: ConfigurationLoaderTests.shippedRegions)
        let types = Set(configuration.records.map(\.type))
        #expect(types.isSuperset(of: [.mx, .txt, .caa, .cname, .srv, .ns, .a]))
        let delegation = try #require(configuration.records.first { $0.type == .ns })
        #expect(delegation.owner.text == "lab.example.test")
    }

    @Test func valuesAreReadAsAZoneFileWritesThem() throws {
        let configuration = try loader.load(global: global(records: """
              "@":
                MX: [10 mail.example.net., 20 mx2]
                CAA: 0 issue "letsencrypt.org"
                TXT: "v=spf1 -all"
              _acme-challenge:
                TXT: {ttl: 1m, values: [token-one, token-two]}
              _sip._tcp:
                SRV: 10 5 5060 sip.example.net.
              www6.example.test.:
                AAAA: "2001:db8::1"
            """))
        let sets = Dictionary(uniqueKeysWithValues: configuration.records.map { ("\($0.owner.text) \($0.type.rawValue)", $0) })
        #expect(sets["example.test MX"]?.values == [.mx(preference: 10, exchange: DomainName("mail.example.net")!),
                                                    .mx(preference: 20, exchange: DomainName("mx2.example.test")!)])
        #expect(sets["example.test CAA"]?.values == [.caa(flags: 0, tag: "issue", value: "letsencrypt.org")])
        #expect(sets["example.test MX"]?.ttl == StaticRecordSet.defaultTTL)
        #expect(sets["_acme-challenge.example.test TXT"]?.ttl == 60)
        #expect(sets["_acme-challenge.example.test TXT"]?.values.count == 2)
        #expect(sets["_sip._tcp.example.test SRV"]?.values
                == [.srv(priority: 10, weight: 5, port: 5060, target: DomainName("sip.example.net")!)])
        #expect(sets["www6.example.test AAAA"]?.values == [.aaaa(IPAddress("2001:db8::1")!)])
    }

    @Test(arguments: [
        ("  outside.example.net.:\n    A: 192.0.2.1", "outside the zone"),
        ("  api:\n    TXT: hello", "service 'api'"),
        ("  _explain.api:\n    TXT: hello", "_explain"),
        ("  ns-istanbul:\n    A: 192.0.2.1", "name server"),
        ("  docs:\n    CNAME: docs.example.net.\n    TXT: hello", "is a CNAME, so it can have no other records"),
        ("  \"@\":\n    CNAME: other.example.net.", "apex cannot be a CNAME"),
        ("  \"@\":\n    NS: ns1.example.net.", "apex's NS records are the directors'"),
        ("  docs:\n    CNAME: [a.example.net., b.example.net.]", "exactly one target"),
        ("  lab:\n    NS: ns1.lab", "needs glue"),
        ("  lab:\n    NS: ns1.lab.example.net.\n  host.lab:\n    A: 192.0.2.1", "below the delegation"),
        ("  lab:\n    NS: ns1.lab.example.net.\n    TXT: hello", "delegated"),
        ("  api2:\n    A: 192.0.2.300", "not an IPv4 address"),
        ("  api2:\n    AAAA: 192.0.2.3", "not an IPv6 address"),
        ("  \"@\":\n    MX: mail.example.net.", "PREFERENCE HOST"),
        ("  \"@\":\n    MX: 70000 mail.example.net.", "not a preference"),
        ("  _sip._tcp:\n    SRV: 10 5 sip.example.net.", "PRIORITY WEIGHT PORT TARGET"),
        ("  \"@\":\n    CAA: 0 is-sue letsencrypt.org", "not a CAA tag"),
        ("  \"@\":\n    CAA: 3 issue letsencrypt.org", "flags are 0 or 128"),
        ("  \"@\":\n    CAA: 0 issue \"letsencrypt.org", "no closing quote"),
        ("  \"@\":\n    MX: 10 mail\n  mail:\n    CNAME: host.example.net.", "is a CNAME; it must name a host"),
        ("  a:\n    CNAME: b\n  b:\n    CNAME: a", "comes back to itself"),
        ("  bad name:\n    A: 192.0.2.1", "not a valid owner name"),
        ("  host:\n    PTR: other.example.net.", "not a record type"),
        ("  host:\n    A: [192.0.2.1, 192.0.2.1]", "given twice"),
        ("  host:\n    A: {ttl: 30d, values: 192.0.2.1}", "at most 1w"),
        ("  host:\n    A: {ttl: 1h}", "missing 'values'"),
        ("  host:\n    A: 192.0.2.1\n  host.example.test.:\n    A: 192.0.2.2", "given twice"),
    ])
    func mistakesAreReportedWithFileAndLine(records: String, expected: String) {
        let problems = loader.problems(global: global(records: records))
        #expect(problems.contains { $0.message.contains(expected) }, "\(problems)")
        #expect(problems.allSatisfy { $0.location.file == "cfg/global.yaml" && $0.location.line != nil }, "\(problems)")
    }

    @Test func longTextIsRefusedAndGlueOfADelegationLoads() throws {
        let long = String(repeating: "x", count: StaticRecordData.maximumTextLength + 1)
        #expect(loader.problems(global: global(records: "  host:\n    TXT: \(long)")).contains { $0.message.contains("longer than") })
        let configuration = try loader.load(global: global(records: """
              lab:
                NS: [ns1.lab, ns2.lab.example.net.]
              ns1.lab:
                A: 192.0.2.53
                AAAA: "2001:db8::53"
            """))
        #expect(configuration.records.filter { $0.owner.text == "ns1.lab.example.test" }.map(\.type) == [.a, .aaaa])
    }
}
