import Testing
@testable import MeridianCore

/// `tls:` and `tls-minimum-version` in `global.yaml`, and `redirect-tls` on a director.
struct TLSConfigurationTests {
    let loader = ConfigurationLoaderTests()

    static let withTLS = ConfigurationLoaderTests.global + """

        tls:
          - {certificate: /etc/meridian/go.pem, key: /etc/meridian/go.key}
          - certificate: /etc/meridian/www.pem
            key: /etc/meridian/www.key
        tls-minimum-version: "1.3"
        """

    static func istanbul(redirectTLS: String) -> String {
        ConfigurationLoaderTests.region("istanbul", dnsPort: 10053, octet: 1)
            .replacingOccurrences(of: "director:\n", with: "director:\n  redirect-tls: \(redirectTLS)\n")
    }

    static let ankara = ConfigurationLoaderTests.region("ankara", dnsPort: 20053, octet: 2)

    @Test("the certificates, the minimum version and a director's HTTPS listener are read")
    func read() throws {
        let configuration = try loader.load(global: Self.withTLS, regions: ["istanbul": Self.istanbul(redirectTLS: "127.0.0.1:10443"),
                                                                            "ankara": Self.ankara])
        let tls = try #require(configuration.tls)
        #expect(tls.certificates.map { [$0.certificate, $0.key] } == [["/etc/meridian/go.pem", "/etc/meridian/go.key"],
                                                                       ["/etc/meridian/www.pem", "/etc/meridian/www.key"]])
        #expect(tls.certificates.map { $0.location?.line } == [16, 17] && tls.minimumVersion == .tls13)
        #expect(configuration.region("istanbul")?.director.redirectTLS == SocketAddress("127.0.0.1:10443"))
        #expect(configuration.region("ankara")?.director.redirectTLS == nil)
        #expect(try loader.load().tls == nil, "no tls: no certificates")
    }

    @Test("an HTTPS listener without certificates, a clash, a bad version, an entry without its key and an empty list are reported with their line")
    func mistakes() {
        let regions = ["istanbul": Self.istanbul(redirectTLS: "127.0.0.1:10443"), "ankara": Self.ankara]
        loader.expectProblem(loader.problems(regions: regions), file: "istanbul.yaml", line: 3, containing: "global.yaml has no 'tls'")
        let clash = ["istanbul": Self.istanbul(redirectTLS: "127.0.0.1:10054"), "ankara": Self.ankara]
        loader.expectProblem(loader.problems(global: Self.withTLS, regions: clash), file: "istanbul.yaml", line: 3, containing: "clashes with")
        let badVersion = Self.withTLS.replacingOccurrences(of: "\"1.3\"", with: "\"1.1\"")
        loader.expectProblem(loader.problems(global: badVersion, regions: regions), file: "global.yaml",
                             line: badVersion.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("tls-minimum") }! + 1,
                             containing: "a TLS version (1.2 or 1.3)")
        let keyless = Self.withTLS.replacingOccurrences(of: ", key: /etc/meridian/go.key", with: "")
        loader.expectProblem(loader.problems(global: keyless, regions: regions), file: "global.yaml",
                             line: keyless.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("go.pem") }! + 1,
                             containing: "key")
        let empty = ConfigurationLoaderTests.global + "\ntls: []\n"
        loader.expectProblem(loader.problems(global: empty, regions: regions), file: "global.yaml",
                             line: empty.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("tls:") }! + 1,
                             containing: "at least one certificate")
    }

    static func withAPITLS(_ region: String, dnsPort: Int, octet: Int) -> String {
        ConfigurationLoaderTests.region(region, dnsPort: dnsPort, octet: octet)
            .replacingOccurrences(of: "director:\n", with: "director:\n  api-tls: {certificate: /etc/meridian/\(region).pem, key: /etc/meridian/\(region).key}\n")
    }

    static let withPeerTLS = ConfigurationLoaderTests.global + """

        peer-ca-file: /etc/meridian/fleet-ca.pem
        peer-client-ca: /etc/meridian/fleet-ca.pem
        """

    @Test("a director's API certificate makes its peer URL https; the peers' authorities are read")
    func apiTLS() throws {
        let configuration = try loader.load(global: Self.withPeerTLS, regions: [
            "istanbul": Self.withAPITLS("istanbul", dnsPort: 10053, octet: 1), "ankara": Self.withAPITLS("ankara", dnsPort: 20053, octet: 2),
        ])
        let istanbul = try #require(configuration.region("istanbul")?.director)
        #expect(istanbul.apiTLS?.certificate == "/etc/meridian/istanbul.pem" && istanbul.apiTLS?.key == "/etc/meridian/istanbul.key")
        #expect(istanbul.peerURL.text.hasPrefix("https://") && istanbul.peerURL.text.contains("\(istanbul.api)"))
        #expect(configuration.peerTLS == PeerTLSSettings(caFile: "/etc/meridian/fleet-ca.pem", clientCAFile: "/etc/meridian/fleet-ca.pem"))
        let plain = try loader.load()
        #expect(plain.peerTLS == nil && plain.regions.allSatisfy { $0.director.apiTLS == nil && $0.director.peerURL.text.hasPrefix("http://") })
    }

    @Test("peer-client-ca with a director that has no certificate to present, and api-tls without its key, are reported with their line")
    func apiTLSMistakes() {
        let oneWithout = ["istanbul": Self.withAPITLS("istanbul", dnsPort: 10053, octet: 1), "ankara": Self.ankara]
        loader.expectProblem(loader.problems(global: Self.withPeerTLS, regions: oneWithout), file: "ankara.yaml", line: 3,
                             containing: "give this one 'api-tls'")
        let keyless = ["istanbul": Self.withAPITLS("istanbul", dnsPort: 10053, octet: 1)
            .replacingOccurrences(of: ", key: /etc/meridian/istanbul.key", with: ""), "ankara": Self.ankara]
        loader.expectProblem(loader.problems(regions: keyless), file: "istanbul.yaml", line: 3, containing: "key")
    }
}
