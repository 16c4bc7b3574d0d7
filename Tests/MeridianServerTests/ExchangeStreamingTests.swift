import AsyncHTTPClient
import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// Directors on loopback exchanging over streams (`POST /v1/peer/stream`), and falling back to
/// JSON reports for a peer that answers 404 to the stream.
@Suite(.serialized)
struct ExchangeStreamingTests {
    func state(_ running: RunningDirector, _ gateway: GatewayName) -> GatewayState? {
        running.director.assessment().sites.flatMap(\.gateways).first { $0.gateway.name == gateway }?.state
    }

    @Test func peersStreamTheirObservationsAndAVerdictChangeReachesTheOther() async throws {
        let world = try await LiveWorld.start()
        let configuration = try PeeringTests.withFreeAPIPorts(world.configuration)
        let first = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true)
        let second = try await RunningDirector.start(world, region: "ankara", configuration: configuration, peering: true)
        let hub = try #require(second.director.peering?.hub)
        // Ankara holds Istanbul's observations from the stream, and the report entry the stream
        // keeps for the status carries none of its own.
        #expect(await eventually {
            Set(hub.observations.filter { $0.observer == "istanbul" }.map(\.gateway)) == Set(configuration.gateways.map(\.name))
        })
        #expect(await eventually { second.director.peering?.reports["istanbul"]?.report.observations.isEmpty == true })
        #expect(await eventually { second.director.status().peers.allSatisfy { $0.state == "fresh" && $0.sameConfiguration == true } })
        try await world.gateways["ist-2"]!.setMode(.down)
        #expect(await eventually {
            hub.observations.contains { $0.observer == "istanbul" && $0.gateway == "ist-2" && $0.verdict == .down }
        })
        #expect(await eventually { state(first, "ist-2") == .down && state(second, "ist-2") == .down })
        #expect(second.director.peerVerdict(of: "ist-2", by: "istanbul") == .down)
        // The bytes went over the stream, and /metrics counts them per peer.
        #expect(first.director.peerBytes.sent > 0 && second.director.peerBytes.received > 0)
        let metrics = String(decoding: try await second.get("/metrics").body, as: UTF8.self)
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("meridian_peer_bytes_received_total{peer=\"istanbul\",kind=\"stream\"} ") }
        #expect(line.flatMap { UInt64($0.split(separator: " ").last ?? "") }.map { $0 > 0 } == true)
        await first.stop()
        await second.stop()
        await world.stop()
    }

    @Test func aDirectorAddedByAReloadIsStreamedToAndOneRemovedIsForgotten() async throws {
        let world = try await LiveWorld.start()
        let configuration = try PeeringTests.withFreeAPIPorts(world.configuration)
        var larger = configuration
        let istanbul = try #require(larger.regions.firstIndex { $0.name == "istanbul" })
        larger.regions[istanbul].directors.append(DirectorEndpoints(
            name: "ist-b", dns: SocketAddress("127.0.0.1:1")!, redirect: SocketAddress("127.0.0.1:2")!,
            api: SocketAddress(ip: IPAddress("127.0.0.1")!, port: try PeeringTests.freePort())))
        let first = try await RunningDirector.start(world, region: "istanbul", director: "istanbul", configuration: configuration, peering: true)
        let added = try await RunningDirector.start(world, region: "istanbul", director: "ist-b", configuration: larger, peering: true)
        let firstHub = try #require(first.director.peering?.hub), addedHub = try #require(added.director.peering?.hub)
        #expect(first.director.adopt(larger) == .reloaded(fingerprint: ""))
        // The reloaded director opens a stream to its new region-mate, and takes the mate's.
        #expect(await eventually { addedHub.observations.contains { $0.observer == "istanbul" } })
        #expect(await eventually { firstHub.observations.contains { $0.observer == "ist-b" } })
        #expect(first.director.adopt(configuration) == .reloaded(fingerprint: ""))
        // Back without it: what it streamed is forgotten, and no stream goes to it any more.
        #expect(await eventually { !firstHub.observations.contains { $0.observer == "ist-b" } })
        #expect(await eventually { first.director.peering?.links.send(to: "ist-b", at: .now) == false })
        await added.stop()
        await first.stop()
        await world.stop()
    }

    @Test func aPeerThatAnswers404ToTheStreamIsSentReportsInstead() async throws {
        let world = try await LiveWorld.start()
        var configuration = try PeeringTests.withFreeAPIPorts(world.configuration)
        // Ankara's director does not peer: its API answers 404 to the stream, as a director of the
        // version before streams does. Istanbul's finds it where it listens.
        let old = try await RunningDirector.start(world, region: "ankara", configuration: configuration, peering: false)
        let ankara = try #require(configuration.regions.firstIndex { $0.name == "ankara" })
        let endpoints = configuration.regions[ankara].director
        configuration.regions[ankara].director = DirectorEndpoints(name: endpoints.name, dns: endpoints.dns, redirect: endpoints.redirect,
                                                                   api: SocketAddress(ip: IPAddress("127.0.0.1")!, port: UInt16(old.apiPort)))
        let running = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true)
        let peering = try #require(running.director.peering)
        #expect(await eventually { peering.links.isLegacy("ankara", at: .now) })
        // The report goes to the report endpoint, where this old peer refuses it (it has no key).
        #expect(await eventually { peering.sends["ankara"]?.error == "HTTP 404" })
        #expect(!peering.links.send(to: "ankara", at: .now))
        await running.stop()
        await old.stop()
        await world.stop()
    }
}
