import Foundation
import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// Two directors in Istanbul and one in Ankara on loopback, peering for real: Istanbul's two split
/// the probing between them, and one takes over the other's share when it stops.
@Suite(.serialized)
struct FleetProbingTests {
    /// The world's configuration with a second Istanbul director, `ist-b`, and every API on a free port.
    static func fleet(_ world: LiveWorld) throws -> Configuration {
        var configuration = try PeeringTests.withFreeAPIPorts(world.configuration)
        let istanbul = try #require(configuration.regions.firstIndex { $0.name == "istanbul" })
        configuration.regions[istanbul].directors.append(DirectorEndpoints(
            name: "ist-b", dns: SocketAddress("127.0.0.1:15010")!, redirect: SocketAddress("127.0.0.1:16010")!,
            api: SocketAddress(ip: IPAddress("127.0.0.1")!, port: try PeeringTests.freePort())))
        return configuration
    }

    @Test func aRegionsDirectorsSplitTheProbingAndOneTakesOverWhenTheOtherStops() async throws {
        let world = try await LiveWorld.start(perRegion: 4)
        let configuration = try Self.fleet(world)
        let all = Set(configuration.gateways.map(\.name))
        let first = try await RunningDirector.start(world, region: "istanbul", director: "istanbul", configuration: configuration, peering: true)
        var second = try await RunningDirector.start(world, region: "istanbul", director: "ist-b", configuration: configuration, peering: true)
        let ankara = try await RunningDirector.start(world, region: "ankara", configuration: configuration, peering: true)

        func split() -> Bool {
            guard let a = first.director.scheduler.share, let b = second.director.scheduler.share else { return false }
            return a.isDisjoint(with: b) && a.union(b) == all && !a.isEmpty && !b.isEmpty
        }
        #expect(await eventually(within: .seconds(10), split), "Istanbul's directors did not split the gateways")
        #expect(ankara.director.scheduler.share == nil, "Ankara's one director probes every gateway")
        let status = try await first.status()
        #expect(status.director.probing.sharedWith == ["ist-b"] && status.director.probing.of == all.count)
        #expect(status.director.probing.gateways == first.director.scheduler.share?.count)
        // What each left to the other it no longer observes: no stale view of it counts.
        for running in [first, second] {
            #expect(await eventually(within: .seconds(5)) {
                Set(running.director.board.observations(by: running.director.name).map(\.gateway)) == running.director.scheduler.share
            }, "\(running.director.name) still holds observations of gateways outside its share")
        }

        // ist-b stops: its share goes to the other Istanbul director, which then sees its gateways fail.
        let orphaned = try #require(second.director.scheduler.share)
        await second.stop()
        #expect(await eventually(within: .seconds(5)) { first.director.scheduler.share == nil },
                "the share of a stopped region-mate was not taken over")
        let gateway = try #require(orphaned.sorted().first)
        try await world.gateways[gateway]!.setMode(.down)
        #expect(await eventually(within: .seconds(5)) { first.verdict(gateway) == .down })
        #expect(first.director.journal.latest(50).contains { $0.message.hasPrefix("probing every gateway") })

        // ist-b comes back: the probing is split again.
        second = try await RunningDirector.start(world, region: "istanbul", director: "ist-b", configuration: configuration, peering: true)
        #expect(await eventually(within: .seconds(10), split), "the returning director was given no share")
        await second.stop()
        await ankara.stop()
        await first.stop()
        await world.stop()
    }
}

@Suite("A peer that is gone")
struct GonePeerTests {
    @Test("a refused push after a peer's last report sets its observations aside until it reports again")
    func refusedPushSetsObservationsAside() {
        let peering = Peering(credentials: .insecureLoopback(for: "istanbul"))
        let start = Timestamp(secondsSinceEpoch: 1_800_000_000)
        let report = PeerReport(from: "ist-b", sentAt: start, fingerprint: "",
                                observations: [Observation(gateway: "ist-1", observer: "ist-b", verdict: .up, at: start)])
        peering.accept(report, at: start)
        #expect(peering.observations.count == 1)
        #expect(!peering.recordSend(to: "ist-b", at: start + .seconds(1), error: "timed out"), "a timeout is no proof of death")
        #expect(peering.gone.isEmpty && peering.observations.count == 1)
        #expect(peering.recordSend(to: "ist-b", at: start + .seconds(2), error: "connection refused", refused: true))
        #expect(peering.gone == ["ist-b"] && peering.observations.isEmpty)
        #expect(!peering.recordSend(to: "ist-b", at: start + .seconds(2.5), error: "timed out"))
        #expect(peering.gone == ["ist-b"], "a gone peer stays gone through a later timeout")
        var again = report
        again.sentAt = start + .seconds(3)
        peering.accept(again, at: start + .seconds(3))
        #expect(peering.gone.isEmpty && peering.observations.count == 1, "a report brings it back")
    }

    @Test("a peer that said it is leaving is not brought back by a report it sent before, only by a later one")
    func leavingOutlastsEarlierReports() {
        let peering = Peering(credentials: .insecureLoopback(for: "istanbul"))
        let start = Timestamp(secondsSinceEpoch: 1_800_000_000)
        func report(sentAt: Timestamp) -> PeerReport {
            PeerReport(from: "ist-b", sentAt: sentAt, fingerprint: "",
                       observations: [Observation(gateway: "ist-1", observer: "ist-b", verdict: .up, at: sentAt)])
        }
        peering.accept(report(sentAt: start), at: start)
        let saidAt = start + .seconds(2)
        peering.heardOnStream(from: "ist-b", at: saidAt)
        peering.heardLeaving(from: "ist-b", saidAt: saidAt)
        #expect(peering.recordSend(to: "ist-b", at: saidAt, error: "leaving (shutting down)", refused: true))
        // A report pushed just before it left, arriving after the leaving frame.
        #expect(!peering.accept(report(sentAt: saidAt - .milliseconds(10)), at: saidAt + .milliseconds(5)))
        #expect(peering.gone == ["ist-b"], "an earlier report brought a leaving peer back")
        peering.accept(report(sentAt: saidAt + .seconds(1)), at: saidAt + .seconds(1))
        #expect(peering.gone.isEmpty, "its next incarnation's report brings it back")
    }
}
