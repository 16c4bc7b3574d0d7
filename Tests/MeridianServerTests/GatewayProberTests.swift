import MeridianCore
import MeridianTesting
import NIOConcurrencyHelpers
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

    @Test(arguments: [false, true])
    func aGatewayGoingAwayBetweenProbesIsNoticed(closesEachConnection: Bool) async throws {
        // Kept alive, the probe's own connection watches the gateway; closed after every answer (as
        // an HTTP/1.0 server does), the connection opened at once for the next probe does.
        let standIn = try await StandInGateway.start(name: "gw", listen: try .init(ipAddress: "127.0.0.1", port: 0),
                                                     closesEachConnection: closesEachConnection)
        let gateway = Gateway(name: "gw", region: "istanbul", address: IPAddress("127.0.1.1")!,
                              probe: ProbeSettings(kind: .http, targetHost: "127.0.0.1", targetPort: UInt16(standIn.address.port!),
                                                   interval: .seconds(1), timeout: .seconds(2)))
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let prober = GatewayProber(gateway: gateway, eventLoop: loop, tlsContext: nil)
        let gone = NIOLockedValueBox(false)
        let first = loop.makePromise(of: ProbeAttempt.self)
        loop.execute {
            prober.onGatewayGone = { gone.withLockedValue { $0 = true } }
            prober.probe { first.succeed($0) }
        }
        let outcome = try await first.futureResult.get().outcome
        #expect(outcome.succeeded, "\(outcome.error ?? "")")
        // One connection stays open: the probe's own, or the one opened after the gateway closed it.
        #expect(await eventually { standIn.connectionCounts == (accepted: closesEachConnection ? 2 : 1, open: 1) })
        try await standIn.setMode(.down)
        #expect(await eventually { gone.withLockedValue { $0 } }, "noticed without another probe")
        loop.execute { prober.shutdown() }
        await standIn.stop()
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
    @Test func aGatewayThatClosesAfterEveryAnswerPasses() async throws {
        // An HTTP/1.0 server, or one answering `Connection: close`: the close that follows the
        // answer is not a failure (it was counted as one until the side-by-side failover benchmark's
        // HTTP/1.0 backends showed it).
        let standIn = try await StandInGateway.start(name: "gw", listen: try .init(ipAddress: "127.0.0.1", port: 0),
                                                     closesEachConnection: true)
        let gateway = Gateway(name: "gw", region: "istanbul", address: IPAddress("127.0.1.1")!,
                              probe: ProbeSettings(kind: .http, targetHost: "127.0.0.1", targetPort: UInt16(standIn.address.port!)))
        let attempts = try await probe(gateway, times: 3)
        #expect(attempts.allSatisfy { $0.outcome.succeeded }, "\(attempts.map(\.outcome.error))")
        await standIn.stop()
    }

    @Test func headProbesKeepTheConnectionInStep() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        var gateway = world.gateway("ist-1")
        gateway.probe.method = "HEAD"
        let attempts = try await probe(gateway, times: 3)
        #expect(attempts.allSatisfy { $0.outcome.succeeded }, "\(attempts.map(\.outcome.error))")
        await world.stop()
    }
}

struct GatewayWatchTests {
    @Test func anIdleConnectionClosedAfterAWhileIsReopened() {
        var watch = GatewayWatch(youngAge: .milliseconds(100))
        #expect(watch.closed(age: .seconds(30)) == .reconnect)
        #expect(watch.closed(age: .milliseconds(100)) == .reconnect)
    }

    @Test func oneClosedAtOnceMakesOneProbePerSuccessfulProbe() {
        var watch = GatewayWatch(youngAge: .milliseconds(100))
        #expect(watch.closed(age: .milliseconds(1)) == .probe)
        #expect(watch.closed(age: .milliseconds(1)) == .wait, "no loop of probes")
        #expect(watch.closed(age: .seconds(2)) == .reconnect)
        watch.probeSucceeded()
        #expect(watch.closed(age: .milliseconds(1)) == .probe)
    }
}
