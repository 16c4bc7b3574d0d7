import AsyncHTTPClient
import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// A director that shuts down says so on its streams (`ExchangeFrame.Body.leaving`).
@Suite(.serialized)
struct LeavingDirectorTests {
    /// Two Istanbul directors (`istanbul`, `ist-b`) and one in Ankara, peering on loopback.
    static func fleet() async throws -> (LiveWorld, Configuration, RunningDirector, RunningDirector, RunningDirector) {
        let world = try await LiveWorld.start(perRegion: 2)
        let configuration = try FleetProbingTests.fleet(world)
        let first = try await RunningDirector.start(world, region: "istanbul", director: "istanbul", configuration: configuration, peering: true)
        let second = try await RunningDirector.start(world, region: "istanbul", director: "ist-b", configuration: configuration, peering: true)
        let ankara = try await RunningDirector.start(world, region: "ankara", configuration: configuration, peering: true)
        return (world, configuration, first, second, ankara)
    }

    @Test("a director that says it is leaving is gone at its peers at once, while its listeners still answer")
    func leavingIsGoneAtOnce() async throws {
        let (world, _, first, second, ankara) = try await Self.fleet()
        let peers = [first, ankara]
        #expect(await eventually(within: .seconds(10)) {
            first.director.scheduler.share != nil && peers.allSatisfy { $0.director.peering?.links.openSince("ist-b") != nil }
        }, "the probing was not split, or the streams to ist-b did not open")
        // ist-b's streams to its peers must be open too, to carry the word.
        #expect(await eventually(within: .seconds(10)) {
            peers.allSatisfy { second.director.peering?.links.openSince($0.director.name) != nil }
        })

        PeerExchange(director: second.director).leave()
        #expect(await eventually(within: .seconds(1)) {
            peers.allSatisfy { $0.director.peering?.gone == ["ist-b"] } && first.director.scheduler.share == nil
        }, "the peers did not take ist-b as gone, or its share was not taken over")
        // Nothing was refused: ist-b still listens, and sends nothing more that would bring it back.
        #expect(try await second.get("/v1/status").status == 200)
        #expect(first.director.peering?.sends["ist-b"]?.error == "leaving (shutting down)")
        // Its peers' streams to it, silent now, are cut and opened again meanwhile: that does not bring it back.
        // Over more than two exchange intervals (heartbeats, pushes and reopened streams would have come by then).
        try await Task.sleep(for: .seconds(2))
        #expect(peers.allSatisfy { $0.director.peering?.gone == ["ist-b"] }, "ist-b was heard again after it left")
        #expect(try await second.get("/v1/status").status == 200, "ist-b stopped running when it said it was leaving")

        await second.stop()
        await ankara.stop()
        await first.stop()
        await world.stop()
    }

    @Test("a peer whose stream was not open yet is told on a stream of its own")
    func farewellOnAStreamOfItsOwn() async throws {
        let (world, configuration, first, second, ankara) = try await Self.fleet()
        #expect(await eventually(within: .seconds(10)) { first.director.scheduler.share != nil })
        // ist-b as one that has just started: a second ledger of its, with no stream open.
        let starting = Peering(credentials: .insecureLoopback(for: "ist-b"))
        starting.hub.configure(configuration, maximumSkew: .seconds(5))
        let endpoints = try #require(configuration.director("istanbul")?.endpoints)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        await starting.links.farewell(to: endpoints, from: "ist-b", frame: starting.hub.leavingFrame(at: .now),
                                      authentication: starting.authentication, client: client, timeout: .seconds(2))
        try await client.shutdown()
        // Taken at once (the running ist-b, heard again at its next frame, comes back).
        #expect(first.director.peering?.sends["ist-b"]?.error == "leaving (shutting down)")
        #expect(first.director.journal.latest(20).contains { $0.message.hasPrefix("probing every gateway") })
        await second.stop()
        await ankara.stop()
        await first.stop()
        await world.stop()
    }
}
