import Foundation
import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// The API over HTTPS, and two directors peering over it with mutual TLS: curl and Python's `ssl`
/// as clients, and a director whose certificate another authority issued.
@Suite(.serialized)
struct APITLSTests {
    /// `world`'s configuration with each director's API on a free port over HTTPS, its certificate
    /// (for 127.0.0.1) from `authority`, except for the directors `foreign` names, whose
    /// certificates `foreign`'s authority issues; peers verified against `authority`, and client
    /// certificates asked for with `mutual`.
    static func configured(_ world: LiveWorld, _ authority: TestCertificates, mutual: Bool,
                           foreign: (authority: TestCertificates, directors: Set<String>)? = nil) throws -> Configuration {
        var configuration = try PeeringTests.withFreeAPIPorts(world.configuration)
        for index in configuration.regions.indices {
            let old = configuration.regions[index].director
            let issuer = foreign.map { $0.directors.contains(old.name.rawValue) ? $0.authority : authority } ?? authority
            let pair = try issuer.issue(old.name.rawValue, names: ["127.0.0.1", "localhost"])
            configuration.regions[index].director = DirectorEndpoints(
                name: old.name, dns: old.dns, redirect: old.redirect, api: old.api,
                apiTLS: .init(certificate: pair.certificate, key: pair.key))
        }
        configuration.peerTLS = PeerTLSSettings(caFile: authority.caFile, clientCAFile: mutual ? authority.caFile : nil)
        return configuration
    }

    static func curl(_ arguments: [String]) throws -> (output: String, status: Int32) {
        try RedirectTLSTests.run("/usr/bin/curl", ["-s", "--max-time", "5"] + arguments)
    }

    @Test("two directors peer over HTTPS with mutual TLS; the dashboard needs no client certificate, the peer routes refuse a request without one")
    func mutualTLS() async throws {
        let world = try await LiveWorld.start()
        let authority = try TestCertificates.make()
        defer { authority.remove() }
        let configuration = try Self.configured(world, authority, mutual: true)
        let istanbul = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true)
        let ankara = try await RunningDirector.start(world, region: "ankara", configuration: configuration, peering: true)
        #expect(await eventually {
            [istanbul, ankara].allSatisfy { running in
                let status = running.director.status()
                return status.peers.count == 1 && status.peers.allSatisfy { $0.state == "fresh" && $0.url.hasPrefix("https://") }
            }
        })
        #expect(await eventually { ankara.director.status().peers.first?.lastSendError == nil })
        let base = "https://127.0.0.1:\(istanbul.apiPort)"

        // An operator's client, verifying the API's certificate, needs none of its own.
        let status = try Self.curl(["--cacert", authority.caFile, "-o", "/dev/null", "-w", "%{http_code}", base + "/v1/status"])
        #expect(status.output == "200")
        // Without the authority, curl refuses the API's certificate (60: peer certificate cannot be authenticated).
        #expect(try Self.curl(["-o", "/dev/null", base + "/v1/status"]).status == 60)
        // Plain HTTP on the TLS port gets no answer.
        #expect(try Self.curl(["-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(istanbul.apiPort)/v1/status"]).output != "200")

        // The peer routes refuse a request without a client certificate, and say why.
        let bare = try Self.curl(["--cacert", authority.caFile, "-X", "POST", "-w", "\n%{http_code}", base + "/v1/peer/report"])
        #expect(bare.output.hasSuffix("403"))
        #expect(bare.output.contains("need a client certificate issued by this fleet's peer-client-ca"))
        #expect(istanbul.director.metricsText().contains("reason=\"no-client-certificate\""))
        // With one of the fleet's certificates, the request reaches the peer checks (unsigned: 401).
        let member = try authority.issue("member", names: ["127.0.0.1"])
        let signedless = try Self.curl(["--cacert", authority.caFile, "--cert", member.certificate, "--key", member.key,
                                        "-X", "POST", "-o", "/dev/null", "-w", "%{http_code}", base + "/v1/peer/report"])
        #expect(signedless.output == "401")
        // A certificate of another authority is refused at the handshake.
        let stranger = try TestCertificates.make()
        defer { stranger.remove() }
        let outsider = try stranger.issue("outsider", names: ["127.0.0.1"])
        let refused = try Self.curl(["--cacert", authority.caFile, "--cert", outsider.certificate, "--key", outsider.key,
                                     "-X", "POST", "-o", "/dev/null", "-w", "%{http_code}", base + "/v1/peer/report"])
        #expect(refused.output != "401" && refused.status != 0, "curl: \(refused)")

        await ankara.stop()
        await istanbul.stop()
        await world.stop()
    }

    @Test("a director whose certificate another authority issued is refused by its peer, and learns why")
    func foreignCertificate() async throws {
        let world = try await LiveWorld.start()
        let authority = try TestCertificates.make(), stranger = try TestCertificates.make()
        defer { authority.remove(); stranger.remove() }
        let configuration = try Self.configured(world, authority, mutual: true, foreign: (stranger, ["ankara"]))
        let istanbul = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true)
        let ankara = try await RunningDirector.start(world, region: "ankara", configuration: configuration, peering: true)
        // Ankara's calls fail at the handshake (Istanbul does not know the authority of its client
        // certificate); Istanbul's calls to Ankara too (Ankara's server certificate is not the fleet's).
        #expect(await eventually {
            ankara.director.status().peers.first?.lastSendError?.contains("UNKNOWN_CA") ?? false
                && istanbul.director.status().peers.first?.lastSendError?.contains("CERTIFICATE_VERIFY_FAILED") ?? false
        })
        #expect(istanbul.director.status().peers.first?.state == "silent", "Istanbul took nothing from Ankara")
        #expect(ankara.director.status().peers.first?.state == "silent", "Ankara took nothing from Istanbul")
        await ankara.stop()
        await istanbul.stop()
        await world.stop()
    }

    @Test("Python's ssl module reads the status over HTTPS, verifying the certificate and its name")
    func pythonClient() async throws {
        let world = try await LiveWorld.start()
        let authority = try TestCertificates.make()
        defer { authority.remove() }
        let configuration = try Self.configured(world, authority, mutual: false)
        let istanbul = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true)
        let script = """
            import json, socket, ssl, sys
            context = ssl.create_default_context(cafile=sys.argv[1])
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            with socket.create_connection(("127.0.0.1", int(sys.argv[2]))) as raw:
                with context.wrap_socket(raw, server_hostname="localhost") as tls:
                    version = tls.version()
                    tls.sendall(b"GET /v1/status HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
                    data = b""
                    while chunk := tls.recv(65536):
                        data += chunk
            head, body = data.split(b"\\r\\n\\r\\n", 1)
            print(version, head.split(b"\\r\\n")[0].decode(), json.loads(body)["director"]["name"])
            """
        let answer = try RedirectTLSTests.run("/usr/bin/python3", ["-c", script, authority.caFile, "\(istanbul.apiPort)"])
        #expect(answer.status == 0, "python: \(answer.output)")
        #expect(answer.output.trimmingCharacters(in: .whitespacesAndNewlines) == "TLSv1.3 HTTP/1.1 200 OK istanbul")
        // The same client asking for a name the certificate does not carry fails verification.
        let wrongName = script.replacingOccurrences(of: "server_hostname=\"localhost\"", with: "server_hostname=\"other.example\"")
        let refused = try RedirectTLSTests.run("/usr/bin/python3", ["-c", wrongName, authority.caFile, "\(istanbul.apiPort)"])
        #expect(refused.status != 0 && refused.output.contains("CERTIFICATE_VERIFY_FAILED"), "python: \(refused.output)")
        await istanbul.stop()
        await world.stop()
    }

    @Test("a renewed API certificate is served after a reload; one that does not load is refused and the one in use stays")
    func apiCertificateReload() async throws {
        let world = try await LiveWorld.start()
        let authority = try TestCertificates.make()
        defer { authority.remove() }
        let configuration = try Self.configured(world, authority, mutual: false)
        let istanbul = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true)
        let files = try #require(configuration.region("istanbul")?.director.apiTLS)
        func servedSerial() throws -> String {
            let script = """
                import socket, ssl, sys
                context = ssl.create_default_context(cafile=sys.argv[1])
                with socket.create_connection(("127.0.0.1", int(sys.argv[2]))) as raw:
                    with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                        print(tls.getpeercert()["serialNumber"])
                """
            let result = try RedirectTLSTests.run("/usr/bin/python3", ["-c", script, authority.caFile, "\(istanbul.apiPort)"])
            #expect(result.status == 0, "python: \(result.output)")
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let first = try servedSerial()
        _ = try authority.issue("istanbul", names: ["127.0.0.1", "localhost"])
        #expect(istanbul.director.certificates.reload(tls: nil, api: files).isEmpty)
        let renewed = try servedSerial()
        let onDisk = try RedirectTLSReloadTests.serial(files.certificate)
        #expect(renewed != first && renewed == onDisk)
        try FileManager.default.removeItem(atPath: files.certificate)
        let problems = istanbul.director.certificates.reload(tls: nil, api: files)
        #expect(problems.count == 1 && problems[0].hasPrefix("API certificate: \(files.certificate)"), "\(problems)")
        let kept = try servedSerial()
        #expect(kept == renewed)
        #expect(istanbul.director.metricsText().contains("meridian_tls_certificate_expiry_timestamp_seconds{listener=\"api\""))
        await istanbul.stop()
        await world.stop()
    }
}
