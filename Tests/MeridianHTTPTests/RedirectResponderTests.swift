import Foundation
import MeridianCore
import Testing
@testable import MeridianHTTP

/// The responder over the repository's own `regions/`, with every gateway as `verdict` says.
func responder(_ change: (inout Configuration) -> Void = { _ in }, down: Set<String> = []) throws -> RedirectResponder {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../regions").path
    var configuration = try ConfigurationLoader.load(directory: folder)
    change(&configuration)
    let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
    let observations = configuration.gateways.map {
        Observation(gateway: $0.name, observer: "ist-a", verdict: down.contains($0.region.rawValue) ? .down : .up, at: now)
    }
    let assessment = Assessment.make(configuration, observations: observations, overrides: [], vantage: "ist-a", now: now)
    return RedirectResponder(snapshot: SteeringSnapshot(assessment: assessment, locator: ClientLocator(configuration),
                                                        vantage: configuration.region("istanbul")))
}

/// The response to `request` from `peer`, as text.
func answer(_ responder: RedirectResponder, _ request: String, peer: String = "10.34.1.1") throws -> (String, RedirectResponder.Outcome) {
    let bytes = Array(request.utf8)
    return try bytes.withUnsafeBytes { raw in
        guard case .complete(let head) = HTTPRequestHeadParser().parse(raw) else { throw ParseFailure() }
        var output: [UInt8] = []
        let outcome = responder.respond(to: head, in: raw, peer: IPAddress(peer)!, dateLine: Array("Date: D\r\n".utf8),
                                        into: &output)
        return (String(decoding: output, as: UTF8.self), outcome)
    }
}

@Suite("Redirect responder")
struct RedirectResponderTests {
    @Test("a redirect: status, Location from the chosen region, headers in order, nothing else")
    func redirect() throws {
        let (text, outcome) = try answer(try responder(), "GET /v1/orders?id=7 HTTP/1.1\r\nHost: go.example.test\r\n\r\n")
        #expect(text == "HTTP/1.1 302 Found\r\nLocation: https://ist.api.example.test/v1/orders?id=7\r\nCache-Control: no-store\r\n"
                + "X-Meridian-Service: api\r\nX-Meridian-Region: istanbul\r\nContent-Length: 0\r\nDate: D\r\n\r\n")
        #expect(outcome == .init(status: 302, service: 0, region: 1, source: .peer, close: false))
        let ankara = try answer(try responder(), "GET / HTTP/1.1\r\nHost: go.example.test\r\n\r\n", peer: "10.6.1.1").0
        #expect(ankara.contains("Location: https://ank.api.example.test/\r\n"))
    }

    @Test("status, other methods and max-age as the service says")
    func serviceSettings() throws {
        let permanent = try responder { configuration in
            configuration.services[0].redirect?.status = 308
            configuration.services[0].redirect?.maxAge = 60
        }
        let (text, _) = try answer(permanent, "GET /a HTTP/1.1\r\nHost: go.example.test\r\n\r\n")
        #expect(text.hasPrefix("HTTP/1.1 308 Permanent Redirect\r\n") && text.contains("Cache-Control: private, max-age=60\r\n"))
        let (refused, outcome) = try answer(try responder(), "PUT /a HTTP/1.1\r\nHost: go.example.test\r\nContent-Length: 1\r\n\r\nx")
        #expect(refused.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n"))
        #expect(refused.contains("Connection: close\r\n") && outcome.close)
    }

    @Test("Host matching: case, port and a final dot ignored; the absolute form's host wins; unknown hosts 404")
    func hosts() throws {
        let responder = try responder()
        for host in ["GO.Example.TEST", "go.example.test:10080", "go.example.test."] {
            #expect(try answer(responder, "GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n").1.status == 302, "\(host)")
        }
        #expect(try answer(responder, "GET http://go.example.test/x HTTP/1.1\r\nHost: other.test\r\n\r\n").1.status == 302)
        #expect(try answer(responder, "GET http://other.test/x HTTP/1.1\r\nHost: go.example.test\r\n\r\n").1.status == 404)
        let (text, outcome) = try answer(responder, "HEAD / HTTP/1.1\r\nHost: api.example.test\r\n\r\n")
        #expect(outcome.status == 404 && outcome.service == -1)
        #expect(text.hasSuffix("\r\n\r\n"), "a HEAD answer has no body")
    }

    @Test("HTTP/1.0: keep-alive only when asked, and said")
    func http10() throws {
        let responder = try responder()
        let (kept, keptOutcome) = try answer(responder, "GET / HTTP/1.0\r\nHost: go.example.test\r\nConnection: keep-alive\r\n\r\n")
        #expect(kept.hasSuffix("Connection: keep-alive\r\n\r\n") && !keptOutcome.close)
        let (closed, closedOutcome) = try answer(responder, "GET / HTTP/1.0\r\nHost: go.example.test\r\n\r\n")
        #expect(closed.hasSuffix("Connection: close\r\n\r\n") && closedOutcome.close)
    }

    @Test("every site down: fail-open sends to the nearest site, fallback to its URL, fail-closed 503")
    func allDown() throws {
        let down: Set = ["istanbul", "ankara", "izmir"]
        let failOpen = try answer(try responder(down: down), "GET /a HTTP/1.1\r\nHost: go.example.test\r\n\r\n", peer: "10.6.1.1")
        #expect(failOpen.0.contains("Location: https://ank.api.example.test/a\r\n") && failOpen.1.region == -1)
        let fallback = try responder({ configuration in
            configuration.services[0].allDown = .fallback(FallbackTarget(addresses: [], url: BaseURL("https://status.example.test")))
        }, down: down)
        #expect(try answer(fallback, "GET /a HTTP/1.1\r\nHost: go.example.test\r\n\r\n").0
                .contains("Location: https://status.example.test/a\r\n"))
        let closed = try responder({ $0.services[0].allDown = .failClosed }, down: down)
        let (text, outcome) = try answer(closed, "GET /a HTTP/1.1\r\nHost: go.example.test\r\n\r\n")
        #expect(outcome.status == 503 && text.contains("Retry-After: 10\r\n") && text.hasSuffix("can take requests now\n"))
    }

    @Test("the JSON answer names the URL it would redirect to, without the meridian=json parameter")
    func json() throws {
        let (text, outcome) = try answer(try responder(), "GET /a?x=1&meridian=json HTTP/1.1\r\nHost: go.example.test\r\n\r\n",
                                         peer: "10.6.1.1")
        #expect(outcome.status == 200 && outcome.region == 0)
        let body = try #require(text.range(of: "\r\n\r\n")).upperBound
        let decoded = try JSONDecoder().decode(RedirectAnswer.self, from: Data(text[body...].utf8))
        #expect(decoded.url == "https://ank.api.example.test/a?x=1")
        #expect(decoded.decision.region == "ankara" && decoded.decision.client.network == "ankara-metro")
    }
}
