import Foundation
import MeridianCore
import MeridianHTTP
import MeridianTesting
import Testing
@testable import MeridianServer

/// The HTTPS redirect listener, asked by curl, `openssl s_client` and a raw TCP client on loopback.
@Suite(.serialized)
struct RedirectTLSTests {
    /// The redirect world of `RedirectTests`, with certificates for `go.example.test` and
    /// `www.example.test` from a throw-away authority, and an HTTPS listener on Istanbul's director;
    /// the service sends HSTS with `hsts` (seconds).
    static func started(hsts: UInt32? = nil) async throws -> (LiveWorld, RunningDirector, TestCertificates) {
        var world = try await RedirectTests.world()
        let authority = try TestCertificates.make()
        let go = try authority.issue("go", names: ["go.example.test"])
        let www = try authority.issue("www", names: ["www.example.test"])
        world.configuration.tls = TLSSettings(certificates: [.init(certificate: go.certificate, key: go.key),
                                                             .init(certificate: www.certificate, key: www.key)])
        let istanbul = try #require(world.configuration.regions.firstIndex { $0.name == "istanbul" })
        world.configuration.regions[istanbul].directors[0].redirectTLS = DirectorService.Options.ephemeralLoopback
        world.configuration.services[0].redirect?.hosts.append(DomainName("www.example.test")!)
        world.configuration.services[0].redirect?.hstsMaxAge = hsts
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        return (world, running, authority)
    }

    /// Runs a program; its standard output and error, and its exit status.
    static func run(_ program: String, _ arguments: [String], input: String = "") throws -> (output: String, status: Int32) {
        guard FileManager.default.isExecutableFile(atPath: program) else {
            Issue.record("\(program) is not installed (.ci/run installs it)")
            return ("", -1)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe(), source = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = source
        try process.run()
        source.fileHandleForWriting.write(Data(input.utf8))
        try source.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    @Test("curl is redirected over HTTPS, twice on one connection; the certificate follows the name asked; a name no certificate covers fails")
    func curlOverTLS() async throws {
        let (world, running, authority) = try await Self.started()
        defer { authority.remove() }
        let port = try #require(running.redirectTLSPort)
        func curl(_ host: String, _ extra: [String] = []) throws -> (output: String, status: Int32) {
            try Self.run("/usr/bin/curl", ["-s", "--max-time", "5", "--cacert", authority.caFile, "--resolve", "\(host):\(port):127.0.0.1",
                                           "-o", "/dev/null", "-w", "%{http_code} %{redirect_url} %{num_connects}\\n"] + extra
                                          + ["https://\(host):\(port)/v1/orders?id=7"])
        }
        let urls = [RedirectTests.istanbulURL, RedirectTests.ankaraURL].map { "\($0)/v1/orders?id=7" }
        let go = try curl("go.example.test")
        #expect(go.status == 0, "curl: \(go.output)")
        let fields = go.output.split(separator: " ").map(String.init)
        #expect(fields.count == 3 && fields[0] == "302" && urls.contains(fields[1]), "\(go.output)")
        // Two requests, one connection: keep-alive over TLS.
        let twice = try curl("go.example.test", ["https://go.example.test:\(port)/v1/orders?id=8"])
        #expect(twice.output.split(separator: "\n").map { $0.split(separator: " ").last.map(String.init) } == ["1", "0"],
                "\(twice.output)")
        #expect(try curl("www.example.test").output.hasPrefix("302 "))
        let unknown = try curl("other.example.test")
        #expect(unknown.status == 60, "a name no certificate covers should fail verification: \(unknown.output)")
        await running.stop()
        await world.stop()
    }

    @Test("openssl s_client gets ALPN http/1.1, TLS 1.3 and 1.2, and resumes a session from its ticket")
    func opensslClient() async throws {
        let (world, running, authority) = try await Self.started()
        defer { authority.remove() }
        let port = try #require(running.redirectTLSPort)
        let sessionFile = authority.folder.appendingPathComponent("session.pem").path
        func sClient(_ extra: [String]) throws -> String {
            try Self.run("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "go.example.test",
                                              "-CAfile", authority.caFile, "-verify_return_error", "-alpn", "h2,http/1.1", "-ign_eof"] + extra,
                         input: "GET /v1/orders HTTP/1.1\r\nHost: go.example.test\r\nConnection: close\r\n\r\n").output
        }
        let first = try sClient(["-tls1_3", "-sess_out", sessionFile])
        #expect(first.contains("ALPN protocol: http/1.1") && first.contains("TLSv1.3") && first.contains("HTTP/1.1 302"), "\(first)")
        let again = try sClient(["-tls1_3", "-sess_in", sessionFile])
        #expect(again.contains("Reused, TLSv1.3") && again.contains("HTTP/1.1 302"), "\(again)")
        let old = try sClient(["-tls1_2"])
        #expect(old.contains("TLSv1.2") && old.contains("HTTP/1.1 302"), "\(old)")
        let metrics = String(decoding: try await running.get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("meridian_redirect_tls_handshakes_total{outcome=\"resumed\"} 1"), "\(metrics)")
        await running.stop()
        await world.stop()
    }

    @Test("a plain HTTP request on the HTTPS port gets nginx's 400; bytes that are no TLS record are closed; both are counted")
    func notTLS() async throws {
        let (world, running, authority) = try await Self.started()
        defer { authority.remove() }
        let port = try #require(running.redirectTLSPort)
        let plain = try RawHTTPClient.exchange("GET /v1/orders HTTP/1.1\r\nHost: go.example.test\r\n\r\n", port: port)
        let parsed = try #require(ParsedResponse.first(plain), "\(plain)")
        #expect(parsed.status == 400 && parsed.body == "The plain HTTP request was sent to HTTPS port\n")
        let garbage = try RawHTTPClient.exchange([0x00, 0xFF, 0x13, 0x37, 0x0D, 0x0A], port: port)
        #expect(garbage.isEmpty, "garbage was answered: \(garbage)")
        // A handshake record holding no ClientHello: OpenSSL refuses it (with an alert, no answer).
        let bogus = try RawHTTPClient.exchange([0x16, 0x03, 0x01, 0x00, 0x05, 0xFF, 0x00, 0x00, 0x01, 0x00], port: port)
        #expect(!bogus.contains("HTTP/"))
        // A ClientHello cut short: the connection waits for the rest, then the head timeout (1 s here) closes it.
        let truncated = try RawHTTPClient.exchange([0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00], port: port)
        #expect(truncated.isEmpty)
        let metrics = String(decoding: try await running.get("/metrics").body, as: UTF8.self)
        for outcome in ["plain-http", "not-tls", "failed", "timed-out"] {
            #expect(metrics.contains("meridian_redirect_tls_handshakes_total{outcome=\"\(outcome)\"} 1"), "\(outcome): \(metrics)")
        }
        await running.stop()
        await world.stop()
    }

    @Test("the plain redirector's hostile tables, replayed over HTTPS by Python's ssl, get the same answers")
    func hostileTablesOverTLS() async throws {
        let (world, running, authority) = try await Self.started()
        defer { authority.remove() }
        let port = try #require(running.redirectTLSPort)
        try RedirectTests.expectClearRefusals { try TLSReplay.exchange($0, port: port, caFile: authority.caFile) }
        try RedirectTests.expectOnlyConfiguredHosts { try TLSReplay.exchange($0, port: port, caFile: authority.caFile) }
        // Pipelined requests in one TLS record, answered in order.
        let pipelined = "GET /one HTTP/1.1\r\nHost: go.example.test\r\n\r\nGET /two HTTP/1.1\r\nHost: go.example.test\r\nConnection: close\r\n\r\n"
        let answers = ParsedResponse.all(try TLSReplay.exchange([pipelined], port: port, caFile: authority.caFile)[0])
        #expect(answers.map { $0.headers["location"] ?? "" } == ["/one", "/two"].map { RedirectTests.istanbulURL + $0 })
        let metrics = String(decoding: try await running.get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("meridian_redirect_tls_handshakes_total{outcome=\"failed\"} 0"), "no handshake failed")
        await running.stop()
        await world.stop()
    }

    @Test("a service with hsts gets Strict-Transport-Security over HTTPS only")
    func strictTransportSecurity() async throws {
        let (world, running, authority) = try await Self.started(hsts: 31_536_000)
        defer { authority.remove() }
        let port = try #require(running.redirectTLSPort)
        let request = "GET /v1/orders HTTP/1.1\r\nHost: go.example.test\r\nConnection: close\r\n\r\n"
        let json = "GET /v1/orders?meridian=json HTTP/1.1\r\nHost: go.example.test\r\nConnection: close\r\n\r\n"
        let secure = try TLSReplay.exchange([request, json], port: port, caFile: authority.caFile).map(ParsedResponse.first)
        #expect(secure.map { $0?.headers["strict-transport-security"] } == ["max-age=31536000", "max-age=31536000"])
        #expect(secure[0]?.status == 302)
        let plain = ParsedResponse.first(try RawHTTPClient.exchange(request, port: running.redirectPort))
        #expect(plain?.status == 302 && plain?.headers["strict-transport-security"] == nil)
        await running.stop()
        await world.stop()
    }
}
