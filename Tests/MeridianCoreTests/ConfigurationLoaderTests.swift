import Foundation
import Testing
@testable import MeridianCore

/// Loading a configuration: the shipped folder loads, and every kind of mistake is reported with
/// file and line, all at once.
struct ConfigurationLoaderTests {
    static let shippedRegions = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("regions").path

    static let global = """
        zone: example.test
        probe:
          port: 18080
          interval: 1s
          timeout: 400ms
        services:
          api:
            policy: nearest
            ttl: 10s
        networks:
          istanbul-metro:
            cidr: [10.34.0.0/16, "2001:db8:34::/48"]
            location: istanbul
            load: 9000
        """

    static func region(_ name: String, dnsPort: Int, octet: Int) -> String {
        """
        location: {lat: 41.0, lon: 29.0}
        director:
          dns: 127.0.0.1:\(dnsPort)
          redirect: 127.0.0.1:\(dnsPort + 1)
          api: 127.0.0.1:\(dnsPort + 2)
        gateways:
          \(name.prefix(3))-1:
            address: 127.0.\(octet).1
        """
    }

    /// Loads `global.yaml` plus region files; the texts default to a valid two-region world.
    func load(global: String = global, regions: [String: String]? = nil) throws(ConfigurationError) -> Configuration {
        let regions = regions ?? ["istanbul": Self.region("istanbul", dnsPort: 10053, octet: 1),
                                  "ankara": Self.region("ankara", dnsPort: 20053, octet: 2)]
        var files = [ConfigurationLoader.SourceFile(name: "cfg/global.yaml", text: global)]
        for (name, text) in regions.sorted(by: { $0.key < $1.key }) {
            files.append(.init(name: "cfg/\(name).yaml", text: text))
        }
        return try ConfigurationLoader.load(files: files)
    }

    /// The problems of a configuration that must not load.
    func problems(global: String = global, regions: [String: String]? = nil) -> [ConfigProblem] {
        do {
            _ = try load(global: global, regions: regions)
            Issue.record("the configuration loaded, but it should not have")
            return []
        } catch {
            return error.problems
        }
    }

    func expectProblem(_ problems: [ConfigProblem], file: String, line: Int, containing text: String,
                               sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let found = problems.contains {
            $0.location.file == "cfg/\(file)" && $0.location.line == line && $0.message.contains(text)
        }
        #expect(found, "no problem at \(file):\(line) containing '\(text)' in:\n\(problems.map(\.description).joined(separator: "\n"))",
                sourceLocation: sourceLocation)
    }

    @Test func aDirectorKeyIsReadAndABadOneIsReportedWithItsLine() throws {
        let key = "ed25519:" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let keyed = Self.region("istanbul", dnsPort: 10053, octet: 1).replacingOccurrences(
            of: "director:\n", with: "director:\n  key: \(key)\n")
        let configuration = try load(regions: ["istanbul": keyed, "ankara": Self.region("ankara", dnsPort: 20053, octet: 2)])
        #expect(configuration.region("istanbul")?.director.key == DirectorKey(key))
        #expect(configuration.region("istanbul")?.director.key?.description == key)
        #expect(configuration.region("ankara")?.director.key == nil)
        for bad in ["ed25519:AAAA", "rsa:" + key.dropFirst(8), "ed25519:not base64!"] {
            let broken = keyed.replacingOccurrences(of: key, with: bad)
            expectProblem(problems(regions: ["istanbul": broken, "ankara": Self.region("ankara", dnsPort: 20053, octet: 2)]),
                          file: "istanbul.yaml", line: 3, containing: "is not an Ed25519 public key")
        }
    }

    @Test func theShippedRegionsFolderLoads() throws {
        let configuration = try ConfigurationLoader.load(directory: Self.shippedRegions)
        #expect(configuration.zone.text == "example.test")
        #expect(configuration.regions.map(\.name) == ["ankara", "istanbul", "izmir"])
        // Izmir, the small site, is the nearest to Istanbul: its failure spills (`simulate --fail istanbul`).
        #expect(configuration.region("izmir")?.capacity == 8000)
        #expect(Set(configuration.services.map(\.policy)) == Set(SteeringPolicy.allCases))
        let istanbul = try #require(configuration.region("istanbul"))
        #expect(abs(istanbul.location.latitude - 41.0082) < 1e-9)
        // Every address is on loopback, and no two directors share a port.
        #expect(configuration.gateways.allSatisfy { $0.address.description.hasPrefix("127.") })
        let listeners = configuration.regions.flatMap { [$0.director.dns, $0.director.redirect, $0.director.api] }
        #expect(Set(listeners.map(\.port)).count == listeners.count)
    }

    @Test func defaultsAreAppliedAndLevelsOverlay() throws {
        let region = """
            location: {lat: 39.93, lon: 32.86}
            director: {dns: "127.0.0.1:20053", redirect: "127.0.0.1:20054", api: "127.0.0.1:20055"}
            probe:
              path: /ready
            gateways:
              ank-1:
                address: 127.0.2.1
              ank-2:
                address: 127.0.2.2
                probe: {type: tcp, target: "10.9.9.9:9000", interval: 5s}
            """
        let configuration = try load(regions: ["istanbul": Self.region("istanbul", dnsPort: 10053, octet: 1), "ankara": region])
        let ankara = try #require(configuration.region("ankara"))
        let first = ankara.gateways[0].probe, second = ankara.gateways[1].probe
        #expect(first.kind == .http && first.targetHost == "127.0.2.1" && first.targetPort == 18080)
        #expect(first.path == "/ready" && first.interval == .seconds(1) && first.timeout == .milliseconds(400))
        #expect(first.rise == ProbeSettings.defaultRise && first.expectedStatus == [200...299] && first.verifyTLS)
        #expect(second.kind == .tcp && second.targetHost == "10.9.9.9" && second.targetPort == 9000)
        #expect(second.interval == .seconds(5))
        #expect(ankara.weight == 1 && ankara.minHealthy == 0.5 && ankara.capacity == nil)
        #expect(ankara.director.peerURL.text == "http://127.0.0.1:20055")
        let api = try #require(configuration.service(named: "api"))
        #expect(api.fqdn.text == "api.example.test" && api.ttl == 10 && api.maxAnswers == Service.defaultMaxAnswers)
        #expect(api.allDown == .failOpen && api.regions == ["ankara", "istanbul"])
        #expect(configuration.networks[0].prefixes.count == 2)
        #expect(configuration.networks[0].location.region == "istanbul")
    }

    @Test func unknownKeysAreReportedWithASuggestion() {
        let region = Self.region("istanbul", dnsPort: 10053, octet: 1).replacingOccurrences(of: "    address:", with: "    adress:")
        let found = problems(regions: ["istanbul": region, "ankara": Self.region("ankara", dnsPort: 20053, octet: 2)])
        expectProblem(found, file: "istanbul.yaml", line: 8, containing: "unknown key 'adress' in gateways.ist-1 (did you mean 'address'?)")
        expectProblem(found, file: "istanbul.yaml", line: 8, containing: "gateways.ist-1 is missing 'address'")
    }

    @Test func wrongTypesAndValuesAreReported() {
        let global = Self.global
            .replacingOccurrences(of: "ttl: 10s", with: "ttl: 10\n    max-answers: many\n    policy2: x")
            .replacingOccurrences(of: "timeout: 400ms", with: "timeout: [1, 2]")
        let found = problems(global: global)
        expectProblem(found, file: "global.yaml", line: 9, containing: "'10' is not a duration (add a unit: 10s or 10ms)")
        expectProblem(found, file: "global.yaml", line: 10, containing: "'many' is not a whole number")
        expectProblem(found, file: "global.yaml", line: 11, containing: "unknown key 'policy2'")
        expectProblem(found, file: "global.yaml", line: 5, containing: "expected a single value, found a list")
    }

    @Test func badAddressesPrefixesAndCoordinatesAreReported() {
        let global = Self.global.replacingOccurrences(of: "[10.34.0.0/16, \"2001:db8:34::/48\"]",
                                                      with: "[10.34.1.0/16, 10.0.0.0/40, nonsense]")
        let region = Self.region("istanbul", dnsPort: 10053, octet: 1)
            .replacingOccurrences(of: "lat: 41.0", with: "lat: 91")
            .replacingOccurrences(of: "127.0.1.1", with: "127.0.1.300")
        let found = problems(global: global, regions: ["istanbul": region, "ankara": Self.region("ankara", dnsPort: 20053, octet: 2)])
        expectProblem(found, file: "global.yaml", line: 12, containing: "host bits set (did you mean 10.34.0.0/16?)")
        expectProblem(found, file: "global.yaml", line: 12, containing: "prefix length must be 0 to 32")
        expectProblem(found, file: "global.yaml", line: 12, containing: "'nonsense' is not a CIDR prefix")
        expectProblem(found, file: "istanbul.yaml", line: 1, containing: "91.0 is out of range (-90 to 90)")
        expectProblem(found, file: "istanbul.yaml", line: 8, containing: "'127.0.1.300' is not an IP address")
    }

    @Test func duplicateNamesAreReported() {
        // The same gateway name in two regions, and a duplicate key inside one mapping.
        let ankara = Self.region("ankara", dnsPort: 20053, octet: 2).replacingOccurrences(of: "ank-1", with: "ist-1")
        let global = Self.global + "\n  istanbul-metro:\n    cidr: 10.99.0.0/16\n    location: ankara\n"
        let found = problems(global: global, regions: ["istanbul": Self.region("istanbul", dnsPort: 10053, octet: 1), "ankara": ankara])
        expectProblem(found, file: "istanbul.yaml", line: 7, containing: "gateway 'ist-1' is defined twice (also at cfg/ankara.yaml:7:3)")
        expectProblem(found, file: "global.yaml", line: 11, containing: "duplicate key 'istanbul-metro'")
    }

    @Test func referencesToMissingRegionsAreReported() {
        let global = Self.global
            .replacingOccurrences(of: "policy: nearest", with: "policy: failover\n    regions: [istanbul, ankra]")
            .replacingOccurrences(of: "location: istanbul", with: "location: izmir")
        let found = problems(global: global)
        expectProblem(found, file: "global.yaml", line: 9, containing: "names region 'ankra', which does not exist (did you mean 'ankara'?)")
        expectProblem(found, file: "global.yaml", line: 14, containing: "location 'izmir' is not a region")
    }

    @Test func invalidDurationsAndProbeTimingAreReported() {
        let global = Self.global.replacingOccurrences(of: "interval: 1s", with: "interval: 1 second")
        expectProblem(problems(global: global), file: "global.yaml", line: 4, containing: "'1 second' is not a duration")
        let slow = Self.global.replacingOccurrences(of: "timeout: 400ms", with: "timeout: 1s")
        expectProblem(problems(global: slow), file: "global.yaml", line: 5,
                      containing: "probe timeout (1s) must be shorter than its interval (1s)")
    }

    @Test func directorPortClashesAreReported() {
        let ankara = Self.region("ankara", dnsPort: 20053, octet: 2).replacingOccurrences(of: "api: 127.0.0.1:20055", with: "api: 0.0.0.0:10053")
        let found = problems(regions: ["istanbul": Self.region("istanbul", dnsPort: 10053, octet: 1), "ankara": ankara])
        // Region files are read in name order, so Istanbul's listener is the one that clashes.
        expectProblem(found, file: "istanbul.yaml", line: 3,
                      containing: "istanbul's director.dns 127.0.0.1:10053 clashes with ankara's director.api 0.0.0.0:10053 (at cfg/ankara.yaml:5:8)")
    }

    @Test func yamlSyntaxErrorsCarryTheirLine() {
        let global = Self.global.replacingOccurrences(of: "load: 9000", with: "load: [9000")
        let found = problems(global: global)
        #expect(found.contains { $0.location.file == "cfg/global.yaml" && $0.message.hasPrefix("YAML syntax") && $0.location.line != nil })
    }

    @Test func everyProblemIsReportedAtOnce() {
        let global = Self.global
            .replacingOccurrences(of: "zone: example.test", with: "zone: -bad-")
            .replacingOccurrences(of: "ttl: 10s", with: "ttl: 1.5s")
            .replacingOccurrences(of: "load: 9000", with: "load: -1")
        let ankara = Self.region("ankara", dnsPort: 20053, octet: 2).replacingOccurrences(of: "lon: 29.0", with: "lon: 200")
        let found = problems(global: global, regions: ["istanbul": Self.region("istanbul", dnsPort: 10053, octet: 1), "ankara": ankara])
        expectProblem(found, file: "global.yaml", line: 1, containing: "'-bad-' is not a domain name")
        expectProblem(found, file: "global.yaml", line: 9, containing: "a TTL must be whole seconds")
        expectProblem(found, file: "global.yaml", line: 14, containing: "-1.0 is out of range")
        expectProblem(found, file: "ankara.yaml", line: 1, containing: "200.0 is out of range (-180 to 180)")
        // Sorted by file, then line.
        #expect(found.map(\.location) == found.map(\.location).sorted())
    }

    @Test func allDownFallbackAndRedirectsAreChecked() {
        let global = Self.global.replacingOccurrences(of: "ttl: 10s", with: """
            ttl: 10s
                all-down: fallback
                redirect:
                  hosts: [go.example.test]
                  status: 303
                  urls:
                    istanbul: "https://ist.example.test/?x=1"
                    izmir: https://izmir.example.test
            """)
        let found = problems(global: global)
        expectProblem(found, file: "global.yaml", line: 10, containing: "all-down is fallback but there is no 'fallback' target")
        expectProblem(found, file: "global.yaml", line: 13, containing: "is not a redirect status")
        expectProblem(found, file: "global.yaml", line: 15, containing: "is not an absolute http(s) URL")
        expectProblem(found, file: "global.yaml", line: 16, containing: "'izmir' is not one of service 'api''s regions")
        expectProblem(found, file: "global.yaml", line: 12, containing: "redirect.urls has no URL for ankara, istanbul")
    }

    @Test func redirectSettingsTrustedProxiesAndDebugAnswersAreRead() throws {
        let global = Self.global.replacingOccurrences(of: "ttl: 10s", with: """
            ttl: 10s
                redirect:
                  hosts: [go.example.test]
                  status: 308
                  other-methods: 307
                  max-age: 1m
                  hsts: 1y
                  urls: {istanbul: "https://ist.example.test", ankara: "https://ank.example.test/eu"}
            """) + """

            trusted-proxies: [10.0.0.0/8, "2001:db8::/32"]
            dns: {explain: false, identity: true}
            """
        let configuration = try load(global: global)
        let redirect = try #require(configuration.services[0].redirect)
        #expect(redirect.status == 308 && redirect.otherMethods == 307 && redirect.maxAge == 60 && redirect.hstsMaxAge == 31_536_000)
        #expect(redirect.urls["ankara"]?.text == "https://ank.example.test/eu")
        #expect(configuration.trustedProxies.map(\.description) == ["10.0.0.0/8", "2001:db8::/32"])
        #expect(configuration.debugAnswers == DebugAnswers(explain: false, identity: true))
        // Defaults: 302, 405 for other methods, no caching, no trusted proxy, every debug answer on.
        let plain = try load()
        #expect(plain.trustedProxies.isEmpty && plain.debugAnswers == DebugAnswers())
        #expect(plain.services.allSatisfy { $0.redirect?.hstsMaxAge == nil }, "no HSTS unless asked")

        let bad = Self.global.replacingOccurrences(of: "ttl: 10s", with: """
            ttl: 10s
                redirect:
                  hosts: [go.example.test]
                  other-methods: 302
                  max-age: 1.5s
                  hsts: 3y
                  urls: {istanbul: "https://ist.example.test", ankara: "https://ank.example.test"}
            """) + """

            trusted-proxies: [10.0.0.0/33]
            dns: {explain: maybe, trace: true}
            """
        let found = problems(global: bad)
        expectProblem(found, file: "global.yaml", line: 12, containing: "'302' is not 307, 308 or 405")
        expectProblem(found, file: "global.yaml", line: 13, containing: "max-age: must be whole seconds")
        expectProblem(found, file: "global.yaml", line: 14, containing: "hsts: must be whole seconds, at most 2y")
        expectProblem(found, file: "global.yaml", line: 21, containing: "prefix length must be 0 to 32")
        expectProblem(found, file: "global.yaml", line: 22, containing: "'maybe' is not true or false")
        expectProblem(found, file: "global.yaml", line: 22, containing: "unknown key 'trace' in dns")
    }

    @Test func theForwardingHeaderIsReadAndAnUnknownOneIsReportedAtItsLine() throws {
        #expect(try load().forwardingHeader == .xForwardedFor, "X-Forwarded-For by default")
        #expect(try load(global: Self.global + "\nforwarded-header: forwarded\n").forwardingHeader == .forwarded)
        #expect(try load(global: Self.global + "\nforwarded-header: X-Forwarded-For\n").forwardingHeader == .xForwardedFor)
        let bad = Self.global + "\nforwarded-header: X-Real-IP\n"
        let line = bad.components(separatedBy: "\n").firstIndex { $0.hasPrefix("forwarded-header") }! + 1
        expectProblem(problems(global: bad), file: "global.yaml", line: line,
                      containing: "'X-Real-IP' is not a forwarding header (X-Forwarded-For or Forwarded)")
    }

    @Test func aRegionFileMustBeNamedAfterItsRegion() {
        let region = "name: izmir\n" + Self.region("istanbul", dnsPort: 10053, octet: 1)
        let found = problems(regions: ["istanbul": region, "ankara": Self.region("ankara", dnsPort: 20053, octet: 2)])
        expectProblem(found, file: "istanbul.yaml", line: 1, containing: "the region is named 'izmir' but its file is 'istanbul.yaml'")
    }

    @Test func aFolderWithoutGlobalOrRegionsIsReported() {
        let noGlobal = (try? ConfigurationLoader.load(files: [.init(name: "cfg/istanbul.yaml", text: Self.region("istanbul", dnsPort: 10053, octet: 1))]))
        #expect(noGlobal == nil)
        do {
            _ = try ConfigurationLoader.load(files: [.init(name: "cfg/global.yaml", text: Self.global)])
        } catch {
            #expect(error.problems.contains { $0.message.hasPrefix("no region files") })
        }
        do {
            _ = try ConfigurationLoader.load(directory: "/nonexistent/meridian")
            Issue.record("a missing folder loaded")
        } catch {
            #expect(error.problems.map(\.message) == ["no such configuration folder"])
        }
    }

    @Test func emptyAndNonMappingFilesAreReportedNotCrashed() {
        for text in ["", "just a string", "- a\n- list", "zone: [", "\u{0}\u{1}"] {
            let found = problems(global: text)
            #expect(!found.isEmpty, "\(text.debugDescription)")
        }
    }
}

extension ConfigurationLoaderTests {
    @Test func theFingerprintFollowsTheFilesContents() throws {
        let files = try ConfigurationLoader.readFolder(Self.shippedRegions)
        let first = try ConfigurationLoader.load(files: files).fingerprint
        #expect(ConfigurationFingerprint.isWellFormed(first) && first.hasPrefix("sha256:"))
        #expect(try ConfigurationLoader.load(files: files.reversed()).fingerprint == first)
        var edited = files
        edited[0].text += "\n# a comment\n"
        #expect(try ConfigurationLoader.load(files: edited).fingerprint != first)
    }
}

extension ConfigurationLoaderTests {
    @Test func probeMethodAndConnectTimeoutAreReadAndChecked() throws {
        let global = Self.global.replacingOccurrences(of: "timeout: 400ms", with: "timeout: 400ms\n  method: HEAD\n  connect-timeout: 100ms")
        let configuration = try ConfigurationLoader.load(files: [
            .init(name: "cfg/global.yaml", text: global),
            .init(name: "cfg/istanbul.yaml", text: Self.region("istanbul", dnsPort: 10053, octet: 1)),
        ])
        #expect(configuration.gateways[0].probe.method == "HEAD")
        #expect(configuration.gateways[0].probe.connectTimeout == .milliseconds(100))
        let bad = Self.global.replacingOccurrences(of: "timeout: 400ms", with: "timeout: 400ms\n  method: POST\n  connect-timeout: 1s")
        do {
            _ = try ConfigurationLoader.load(files: [.init(name: "cfg/global.yaml", text: bad),
                                                     .init(name: "cfg/istanbul.yaml", text: Self.region("istanbul", dnsPort: 10053, octet: 1))])
            Issue.record("loaded")
        } catch {
            #expect(error.problems.contains { $0.message.contains("'POST' is not a probe method (GET or HEAD)") })
            #expect(error.problems.contains { $0.message.contains("connect-timeout (1s) cannot be longer than its timeout (400ms)") })
        }
    }
}
