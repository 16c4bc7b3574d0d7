import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeridianTesting
import Testing
@testable import MeridianServer

/// The stand-in gateway as a demo user drives it: over HTTP, switched through its control endpoint.
struct StandInGatewayTests {
    private func request(_ url: String, method: String = "GET") async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    @Test func theControlEndpointSwitchesTheGateway() async throws {
        let gateway = try await StandInGateway.start(name: "ist-1", listen: try .init(ipAddress: "127.0.0.1", port: 0),
                                                     control: try .init(ipAddress: "127.0.0.1", port: 0))
        let base = "http://127.0.0.1:\(gateway.address.port!)"
        let control = "http://127.0.0.1:\(gateway.controlAddress!.port!)"
        #expect(try await request(base + "/health") == (200, "ok\n"))
        let api = try await request(base + "/v1/orders?id=7")
        #expect(api.0 == 200 && api.1.contains(#""gateway":"ist-1""#) && api.1.contains(#""path":"/v1/orders""#))

        #expect(try await request(control + "/mode/error", method: "POST").1 == "ist-1 is now error\n")
        #expect(try await request(base + "/health").0 == 503)
        #expect(try await request(control + "/mode").1 == "error\n")

        _ = try await request(control + "/mode/slow?delay=300ms", method: "POST")
        let started = ContinuousClock.now
        #expect(try await request(base + "/health").0 == 200)
        #expect(ContinuousClock.now - started >= .milliseconds(300))

        #expect(try await request(control + "/mode/sideways", method: "POST").0 == 400)
        _ = try await request(control + "/mode/down", method: "POST")
        await #expect(throws: (any Error).self) { _ = try await request(base + "/health") }
        _ = try await request(control + "/mode/healthy", method: "POST")
        #expect(try await request(base + "/health").0 == 200)
        await gateway.stop()
    }
}
