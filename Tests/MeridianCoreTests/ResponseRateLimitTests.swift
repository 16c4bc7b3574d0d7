import MeridianCore
import Testing

/// Response-rate limiting's rules and its settings in `global.yaml`.
struct ResponseRateLimitTests {
    @Test func pastTheRateEverySlipthAnswerIsTruncatedAndTheRestDropped() {
        let limit = ResponseRateLimit(responsesPerSecond: 3, slip: 2)
        #expect((1...9).map { limit.action(forAnswer: $0) }
            == [.answer, .answer, .answer, .drop, .slip, .drop, .slip, .drop, .slip])
        #expect((4...6).map { ResponseRateLimit(responsesPerSecond: 3, slip: 1).action(forAnswer: $0) } == [.slip, .slip, .slip])
        #expect((4...6).map { ResponseRateLimit(responsesPerSecond: 3, slip: 0).action(forAnswer: $0) } == [.drop, .drop, .drop])
        #expect(ResponseRateLimit.off.action(forAnswer: .max) == .answer)
        #expect(ResponseRateLimit().responsesPerSecond == 200 && ResponseRateLimit().isOn)
    }

    @Test func clientsAreCountedByNetworkAndExemptNetworksNotAtAll() throws {
        let limit = ResponseRateLimit(exempt: [try IPPrefix.parse("192.0.2.0/24").get()])
        #expect(limit.network(of: IPAddress("10.1.2.3")!)?.description == "10.1.2.0/24")
        #expect(limit.network(of: IPAddress("2001:db8:1:2ff::1")!)?.description == "2001:db8:1:200::/56")
        #expect(limit.network(of: IPAddress("192.0.2.77")!) == nil)
    }

    @Test func theSettingsAreReadFromTheDNSSection() throws {
        let given = ConfigurationLoaderTests.global + """

            dns:
              explain-over-udp: [127.0.0.0/8]
              rate-limit: {responses-per-second: 50, slip: 3, ipv4-prefix: 32, ipv6-prefix: 64, exempt: [10.0.0.0/8]}
            """
        let configuration = try ConfigurationLoaderTests().load(global: given)
        #expect(configuration.rateLimit == ResponseRateLimit(responsesPerSecond: 50, slip: 3, ipv4PrefixLength: 32,
                                                            ipv6PrefixLength: 64, exempt: [try IPPrefix.parse("10.0.0.0/8").get()]))
        #expect(configuration.debugAnswers.explainOverUDP == [try IPPrefix.parse("127.0.0.0/8").get()])
        #expect(try ConfigurationLoaderTests().load().rateLimit == ResponseRateLimit())
        #expect(try ConfigurationLoaderTests().load(global: ConfigurationLoaderTests.global + "\ndns: {rate-limit: off}\n").rateLimit == .off)

        let bad = ConfigurationLoaderTests.global + """

            dns:
              rate-limit: {responses-per-second: -1, slip: 11, burst: 5}
            """
        let found = ConfigurationLoaderTests().problems(global: bad)
        let line = bad.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("rate-limit") }! + 1
        for text in ["responses-per-second", "slip", "unknown key 'burst'"] {
            ConfigurationLoaderTests().expectProblem(found, file: "global.yaml", line: line, containing: text)
        }
        #expect(!ConfigurationLoaderTests().problems(global: ConfigurationLoaderTests.global + "\ndns: {rate-limit: sometimes}\n").isEmpty)
    }
}
