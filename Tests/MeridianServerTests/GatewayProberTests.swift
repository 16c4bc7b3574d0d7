import MeridianCore
import NIOCore
import NIOPosix
import Testing
@testable import MeridianServer

/// Real probes against real stand-in gateways on loopback.
struct GatewayProberTests {
    private func probe(_ gateway: Gateway, times: Int = 1) async throws -> [ProbeAttempt] {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let prober = GatewayProber(gateway: gateway, eventLoop: loop, tlsContext: nil)
        var attempts: [ProbeAttempt] = []
        for _ in 0..<times {
            let promise = loop.makePromise(of: ProbeAttempt.self)
            loop.execute { prober.probe { promise.succeed($0) } }
            attempts.append(try await promise.futureResult.get())
        }
        loop.execute { prober.shutdown() }
        return attempts
    }

    @Test func aHealthyGatewayPassesAndTheConnectionIsReused() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let attempts = try await probe(world.gateway("ist-1"), times: 3)
        #expect(attempts.allSatisfy { $0.outcome.succeeded && $0.outcome.error == nil })
        #expect(attempts.allSatisfy { $0.outcome.latency < .milliseconds(100) })
        await world.stop()
    }

    @Test func anErrorStatusFails() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        try await world.gateways["ist-1"]!.setMode(.error)
        let attempt = try await probe(world.gateway("ist-1"))[0]
        #expect(!attempt.outcome.succeeded && attempt.outcome.error == "HTTP 503" && !attempt.definitive)
        await world.stop()
    }

    @Test func aDownGatewayFailsAtOnceAndDefinitively() async throws {
        let world = try await LiveWorld.start(perRegion: 1, timeout: .seconds(2))
        try await world.gateways["ist-1"]!.setMode(.down)
        let attempt = try await probe(world.gateway("ist-1"))[0]
        #expect(!attempt.outcome.succeeded && attempt.definitive)
        #expect(attempt.outcome.error == "connection refused")
        #expect(attempt.outcome.latency < .milliseconds(500))
        await world.stop()
    }

    @Test func aHungGatewayFailsAtItsTimeout() async throws {
        let world = try await LiveWorld.start(perRegion: 1, timeout: .milliseconds(150))
        try await world.gateways["ist-1"]!.setMode(.hang)
        let attempt = try await probe(world.gateway("ist-1"))[0]
        #expect(!attempt.outcome.succeeded && !attempt.definitive)
        #expect(attempt.outcome.error == "timed out after 150ms")
        #expect(attempt.outcome.latency >= .milliseconds(150) && attempt.outcome.latency < .milliseconds(1000))
        await world.stop()
    }

    @Test func aKeptConnectionClosedByTheGatewayIsNoticed() async throws {
        let world = try await LiveWorld.start(perRegion: 1, timeout: .seconds(2))
        let gateway = world.gateway("ist-1")
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let prober = GatewayProber(gateway: gateway, eventLoop: loop, tlsContext: nil)
        let closed = loop.makePromise(of: Void.self)
        let first = loop.makePromise(of: ProbeAttempt.self)
        loop.execute {
            prober.onIdleClose = { closed.succeed() }
            prober.probe { first.succeed($0) }
        }
        #expect(try await first.futureResult.get().outcome.succeeded)
        try await world.gateways["ist-1"]!.setMode(.down)
        try await closed.futureResult.get()
        loop.execute { prober.shutdown() }
        await world.stop()
    }

    @Test func bodyChecksAndTCPProbes() async throws {
        let world = try await LiveWorld.start(perRegion: 1, bodyContains: "ok")
        #expect(try await probe(world.gateway("ist-1"))[0].outcome.succeeded)
        var picky = world.gateway("ist-1")
        picky.probe.bodyContains = "ready"
        #expect(try await probe(picky)[0].outcome.error == "HTTP 200, body lacks 'ready'")
        var tcp = world.gateway("ist-1")
        tcp.probe.kind = .tcp
        #expect(try await probe(tcp)[0].outcome.succeeded)
        try await world.gateways["ist-1"]!.setMode(.down)
        let refused = try await probe(tcp)[0]
        #expect(!refused.outcome.succeeded && refused.definitive)
        await world.stop()
    }
}

extension GatewayProberTests {
    @Test func headProbesKeepTheConnectionInStep() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        var gateway = world.gateway("ist-1")
        gateway.probe.method = "HEAD"
        let attempts = try await probe(gateway, times: 3)
        #expect(attempts.allSatisfy { $0.outcome.succeeded }, "\(attempts.map(\.outcome.error))")
        await world.stop()
    }
}
