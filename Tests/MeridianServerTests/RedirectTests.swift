import Foundation
import MeridianCore
import MeridianHTTP
import MeridianTesting
import Testing
@testable import MeridianServer

/// A director's redirect listener, asked by curl and by a raw TCP client on loopback.
@Suite(.serialized)
struct RedirectTests {
    static let istanbulURL = "https://ist.api.example.test"
    static let ankaraURL = "https://ank.api.example.test"
    /// The trusted proxy: requests sent from this source address may carry forwarding headers.
    static let proxy = "127.0.0.2"

    /// A live world whose service redirects `go.example.test`, behind the trusted proxy.
    static func world(allDown: AllDownBehaviour = .failOpen) async throws -> LiveWorld {
        var world = try await LiveWorld.start()
        world.configuration.services[0].redirect = RedirectSettings(
            hosts: [DomainName("go.example.test")!], status: 302, otherMethods: 307,
            urls: ["istanbul": BaseURL(istanbulURL)!, "ankara": BaseURL(ankaraURL)!])
        world.configuration.services[0].allDown = allDown
        world.configuration.trustedProxies = [try IPPrefix.parse("\(proxy)/32").get()]
        return world
    }

    static func started(allDown: AllDownBehaviour = .failOpen) async throws -> (LiveWorld, RunningDirector) {
        let world = try await world(allDown: allDown)
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        return (world, running)
    }

    /// A GET for `path` with `Connection: close` and the given extra header lines, answered.
    func get(_ running: RunningDirector, _ path: String, host: String = "go.example.test", from source: String = "127.0.0.1",
             _ headers: String...) throws -> ParsedResponse {
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\n" + headers.map { $0 + "\r\n" }.joined() + "Connection: close\r\n\r\n"
        let response = try RawHTTPClient.exchange(request, port: running.redirectPort, from: source)
        guard let parsed = ParsedResponse.first(response) else {
            Issue.record("no response to \(path): \(response)")
            return ParsedResponse(status: 0, headers: [:], body: "")
        }
        return parsed
    }

    /// Runs curl and returns its output (`-w` variables and headers as asked).
    func curl(_ arguments: [String]) throws -> String {
        let program = "/usr/bin/curl"
        guard FileManager.default.isExecutableFile(atPath: program) else {
            Issue.record("curl is not installed (apt-get install curl; .ci/run does)")
            return ""
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-s", "--max-time", "5"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func clientsAreRedirectedByWhereTheyAreAndFollowAFailure() async throws {
        // Every client back at once when the site returns: the staged failback has its own test.
        var staged = try await Self.world()
        staged.configuration.services[0].failback = .immediate
        let world = staged
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        defer { Task { await running.stop(); await world.stop() } }
        let port = running.redirectPort

        // curl, through the trusted proxy: an Istanbul client to Istanbul, an Ankara client to Ankara.
        func redirectURL(forwardedFor client: String, from source: String = Self.proxy) throws -> String {
            try curl(["--interface", source, "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                      "-H", "Host: go.example.test", "-H", "X-Forwarded-For: \(client)", "http://127.0.0.1:\(port)/v1/orders?id=7"])
        }
        #expect(try redirectURL(forwardedFor: "10.34.1.1") == "302 \(Self.istanbulURL)/v1/orders?id=7")
        #expect(try redirectURL(forwardedFor: "10.6.1.1") == "302 \(Self.ankaraURL)/v1/orders?id=7")
        // The same header from a peer that is not a trusted proxy is ignored: 127.0.0.1 is in no network,
        // so it is placed at this (Istanbul) director.
        #expect(try redirectURL(forwardedFor: "10.6.1.1", from: "127.0.0.1") == "302 \(Self.istanbulURL)/v1/orders?id=7")

        let headers = try get(running, "/x", from: Self.proxy, "X-Forwarded-For: 10.6.1.1")
        #expect(headers.headers["x-meridian-region"] == "ankara")
        #expect(headers.headers["x-meridian-service"] == "api")
        #expect(headers.headers["cache-control"] == "no-store")
        #expect(headers.headers["date"]?.hasSuffix(" GMT") == true)

        // Istanbul's gateways fail: the Istanbul client goes to Ankara.
        for name in ["ist-1", "ist-2"] { try await world.gateways[GatewayName(name)!]!.setMode(.down) }
        #expect(try await eventually { try redirectURL(forwardedFor: "10.34.1.1") == "302 \(Self.ankaraURL)/v1/orders?id=7" })
        for name in ["ist-1", "ist-2"] { try await world.gateways[GatewayName(name)!]!.setMode(.healthy) }
        #expect(try await eventually { try redirectURL(forwardedFor: "10.34.1.1") == "302 \(Self.istanbulURL)/v1/orders?id=7" })

        // Every response is counted: by service, region and status, and by where the address came from.
        let metrics = try PrometheusText.parse(String(decoding: try await running.get("/metrics").body, as: UTF8.self))
        func value(_ name: String, _ labels: [String: String]) -> Double {
            metrics.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value ?? 0
        }
        #expect(value("meridian_redirect_responses_total", ["service": "api", "region": "ankara", "status": "302"]) >= 3)
        #expect(value("meridian_redirect_responses_total", ["service": "api", "region": "istanbul", "status": "302"]) >= 3)
        #expect(value("meridian_redirect_client_address_total", ["source": "forwarded"]) >= 4)
        #expect(value("meridian_redirect_client_address_total", ["source": "peer"]) >= 1)
    }

    @Test func pathAndQuerySurviveByteForByte() async throws {
        let (world, running) = try await Self.started()
        defer { Task { await running.stop(); await world.stop() } }
        let paths = ["/", "/v1/orders?id=7&sort=-date", "/%C3%BC%C3%B1%C3%AF/%E2%82%AC?q=%F0%9F%98%80",
                     "/a;b=c/d:e@f!$&'()*+,=?k=v/?x", "/%2F%2f/%3F%23?%26=%3D", "/~user/-._/", "/a?b?c", "/?"]
        for path in paths {
            #expect(try get(running, path).headers["location"] == Self.istanbulURL + path, "\(path)")
        }
        // Raw UTF-8 (which no client should send) comes out percent-encoded, never raw.
        #expect(try get(running, "/ü?ş=ğ").headers["location"] == Self.istanbulURL + "/%C3%BC?%C5%9F=%C4%9F")
        // curl sends what it is given; the Location it sees is the same path.
        let url = try curl(["-o", "/dev/null", "-w", "%{redirect_url}", "-H", "Host: go.example.test",
                            "http://127.0.0.1:\(running.redirectPort)/%E4%B8%AD/a%20b?x=1%2B2&y=%22"])
        #expect(url == Self.istanbulURL + "/%E4%B8%AD/a%20b?x=1%2B2&y=%22")
    }

    @Test func theJSONAnswerExplainsTheDecision() async throws {
        let (world, running) = try await Self.started()
        defer { Task { await running.stop(); await world.stop() } }
        for ask in [("/v1/orders?id=7&meridian=json", ""), ("/v1/orders?id=7", "Accept: application/json")] {
            let response = ask.1.isEmpty
                ? try get(running, ask.0, from: Self.proxy, "X-Forwarded-For: 10.6.1.1")
                : try get(running, ask.0, from: Self.proxy, "X-Forwarded-For: 10.6.1.1", ask.1)
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let answer = try JSONDecoder().decode(RedirectAnswer.self, from: Data(response.body.utf8))
            #expect(answer.url == Self.ankaraURL + "/v1/orders?id=7")
            #expect(answer.status == 302)
            #expect(answer.clientSource == "forwarded")
            #expect(answer.decision.region == "ankara")
            #expect(answer.decision.client.network == "ankara-metro")
            #expect(answer.decision.candidates.map(\.region) == ["ankara", "istanbul"])
        }
        // /v1/explain on the API gives the same decision.
        let explained = try JSONDecoder().decode(DecisionReport.self,
                                                 from: try await running.get("/v1/explain?client=10.6.1.1&service=api").body)
        #expect(explained.region == "ankara" && explained.redirectURL == Self.ankaraURL)
        #expect(try await running.get("/v1/explain?client=nonsense&service=api").status == 400)
        #expect(try await running.get("/v1/explain?client=10.6.1.1&service=nope").status == 404)
    }

    @Test func badRequestsGetAClearStatusAndReason() async throws {
        let (world, running) = try await Self.started()
        defer { Task { await running.stop(); await world.stop() } }
        try Self.expectClearRefusals { requests in try requests.map { try RawHTTPClient.exchange($0, port: running.redirectPort) } }
        // The director keeps answering after all of that.
        #expect(try get(running, "/still").status == 302)
    }

    /// Hostile and malformed requests, each on a connection of its own through `exchange` (which
    /// sends each request of a list and returns what came back, until the close), get a clear
    /// status and reason; other methods and HEAD get what they should. Shared with the HTTPS listener's tests.
    static func expectClearRefusals(_ exchange: ([String]) throws -> [String],
                                    sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let cases: [(request: String, status: Int, reason: String)] = [
            ("GET /a%zz HTTP/1.1\r\nHost: go.example.test\r\n\r\n", 400, "bad percent-encoding"),
            ("GET /a HTTP/1.1\r\nHost: go.example.test\r\nHost: other\r\n\r\n", 400, "more than one Host header"),
            ("GET /a HTTP/1.1\r\nHost: go.example.test\r\n X-Folded: yes\r\n\r\n", 400, "obsolete line folding"),
            ("GET /a HTTP/1.1\nHost: go.example.test\n\n", 400, "CRLF"),
            ("GET /a HTTP/1.1\r\nHost: go.example.test\r\nContent-Length: x\r\n\r\n", 400, "Content-Length"),
            ("GET /a HTTP/1.1\r\n\r\n", 400, "without Host"),
            ("GET /a HTTP/2.0\r\nHost: go.example.test\r\n\r\n", 505, "HTTP/1.0 and HTTP/1.1"),
            ("GET /a HTTP/1.1\r\nHost: go.example.test\r\nX: " + String(repeating: "a", count: 9000) + "\r\n\r\n", 400, "larger than 8192"),
            ("GET /a#x HTTP/1.1\r\nHost: go.example.test\r\n\r\n", 400, "fragment"),
            ("GET /a HTTP/1.1\r\nHost: unknown.example\r\nConnection: close\r\n\r\n", 404, "no service answers for host 'unknown.example'"),
        ]
        let other = [
            // Other methods get the service's other-methods status (307 here: the client replays its body).
            "DELETE /a HTTP/1.1\r\nHost: go.example.test\r\nContent-Length: 2\r\n\r\n{}",
            // HEAD: the same head as GET, no body.
            "HEAD /h HTTP/1.1\r\nHost: go.example.test\r\nConnection: close\r\n\r\n",
        ]
        let answers = try exchange(cases.map(\.request) + other)
        try #require(answers.count == cases.count + other.count, sourceLocation: sourceLocation)
        for (test, answer) in zip(cases, answers) {
            let response = ParsedResponse.first(answer)
            #expect(response?.status == test.status, "\(test.request.prefix(60))", sourceLocation: sourceLocation)
            #expect(response?.body.contains(test.reason) == true, "\(test.request.prefix(60)): \(response?.body ?? "")",
                    sourceLocation: sourceLocation)
        }
        let delete = ParsedResponse.first(answers[cases.count])
        #expect(delete?.status == 307 && delete?.headers["location"] == Self.istanbulURL + "/a", sourceLocation: sourceLocation)
        #expect(delete?.headers["connection"] == "close", sourceLocation: sourceLocation)
        let head = ParsedResponse.all(answers[cases.count + 1], heads: true)
        #expect(head.first?.status == 302 && head.first?.headers["location"] == Self.istanbulURL + "/h", sourceLocation: sourceLocation)
    }

    @Test func keepAlivePipeliningAndHTTP10() async throws {
        let (world, running) = try await Self.started()
        defer { Task { await running.stop(); await world.stop() } }
        let pipelined = "GET /one HTTP/1.1\r\nHost: go.example.test\r\n\r\nGET /two HTTP/1.1\r\nHost: Go.Example.Test:80\r\n\r\n"
            + "GET /three HTTP/1.1\r\nHost: go.example.test.\r\nConnection: close\r\n\r\n"
        let responses = ParsedResponse.all(try RawHTTPClient.exchange(pipelined, port: running.redirectPort))
        #expect(responses.map { $0.headers["location"] ?? "" } == ["/one", "/two", "/three"].map { Self.istanbulURL + $0 })
        #expect(responses.last?.headers["connection"] == "close")
        // HTTP/1.0 without keep-alive: answered, then closed (the exchange returns only at close).
        let old = ParsedResponse.all(try RawHTTPClient.exchange("GET /old HTTP/1.0\r\nHost: go.example.test\r\n\r\n",
                                                                port: running.redirectPort))
        #expect(old.count == 1 && old.first?.headers["location"] == Self.istanbulURL + "/old")
    }

    @Test func noRequestCanRedirectAnywhereButAConfiguredHost() async throws {
        let (world, running) = try await Self.started()
        defer { Task { await running.stop(); await world.stop() } }
        try Self.expectOnlyConfiguredHosts { requests in try requests.map { try RawHTTPClient.exchange($0, port: running.redirectPort) } }
    }

    /// Requests crafted to steer the redirect elsewhere, through `exchange` (as for
    /// `expectClearRefusals`), are redirected to a configured host only, or refused.
    static func expectOnlyConfiguredHosts(_ exchange: ([String]) throws -> [String],
                                          sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let attempts = [
            "//evil.example/x", "///evil.example", "/\\evil.example", "/\\\\evil.example/", "/%2F%2Fevil.example",
            "/%5C%5Cevil.example", "/.evil.example", "/@evil.example", "/:@evil.example", "/%0D%0ALocation:%20https://evil.example",
            "/%0aSet-Cookie:%20a=b", "/?next=https://evil.example", "/javascript:alert(1)", "/%09/evil.example",
            "http://evil.example/x", "https://evil.example@go.example.test/x", "/%E2%80%AE/evil", "//go.example.test@evil.example/",
        ]
        let configuredHosts: Set = ["ist.api.example.test", "ank.api.example.test"]
        let asked = attempts.flatMap { attempt in
            ["go.example.test", "evil.example", "go.example.test@evil.example"].map { (attempt, $0) }
        }
        let answers = try exchange(asked.map { "GET \($0.0) HTTP/1.1\r\nHost: \($0.1)\r\nConnection: close\r\n\r\n" })
        try #require(answers.count == asked.count, sourceLocation: sourceLocation)
        for ((attempt, host), raw) in zip(asked, answers) {
            let response = ParsedResponse.first(raw)
            #expect(response != nil, "\(attempt) Host \(host)", sourceLocation: sourceLocation)
            guard let response, (300..<400).contains(response.status) else { continue }
            let location = response.headers["location"] ?? ""
            let components = URLComponents(string: location)
            #expect(components?.scheme == "https", "\(attempt): \(location)", sourceLocation: sourceLocation)
            #expect(components.flatMap(\.host).map(configuredHosts.contains) == true, "\(attempt): \(location)", sourceLocation: sourceLocation)
            #expect(components?.user == nil && components?.password == nil, "\(attempt): \(location)", sourceLocation: sourceLocation)
            #expect(location.hasPrefix(Self.istanbulURL + "/"), "\(attempt): \(location)", sourceLocation: sourceLocation)
            #expect(!location.contains("\r") && !location.contains("\n") && !location.contains("\\"), "\(attempt)", sourceLocation: sourceLocation)
            #expect(response.headers["set-cookie"] == nil, "\(attempt)", sourceLocation: sourceLocation)
        }
    }

    @Test func everyRegionDownFollowsTheAllDownBehaviour() async throws {
        let (world, running) = try await Self.started(allDown: .failClosed)
        defer { Task { await running.stop(); await world.stop() } }
        for gateway in world.gateways.values { try await gateway.setMode(.down) }
        #expect(try await eventually { try get(running, "/x").status == 503 })
        let response = try get(running, "/x")
        #expect(response.headers["retry-after"] == "10")
        #expect(response.body.contains("no region of service api"))
    }
}
