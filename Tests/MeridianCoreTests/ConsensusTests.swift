import Testing
@testable import MeridianCore

struct ConsensusTests {
    let world = TestWorld.turkey()
    let gateway: GatewayName = "istanbul-1"

    private func observation(_ verdict: Verdict, by observer: DirectorName, ago: Duration = .zero) -> Observation {
        Observation(gateway: gateway, observer: observer, verdict: verdict, at: TestWorld.now - ago)
    }

    private func peers(of vantage: DirectorName?) -> [DirectorName] {
        world.directors.map(\.endpoints.name).filter { $0 != vantage }
    }

    private func verdict(_ observations: [Observation], vantage: DirectorName? = "istanbul") -> GatewayConsensus {
        Consensus.evaluate(world, observations: observations, vantage: vantage, peers: peers(of: vantage), now: TestWorld.now).gateways[gateway]!
    }

    @Test func downNeedsAStrictMajorityOfFreshObservers() {
        #expect(verdict([observation(.down, by: "istanbul"), observation(.down, by: "ankara")]).verdict == .down)
        // One of two sees it down: a tie keeps it up (one cut link must not take it out).
        let split = verdict([observation(.up, by: "istanbul"), observation(.down, by: "ankara")])
        #expect(split.verdict == .up)
        #expect(split.downVotes == 1 && split.upVotes == 1)
        #expect(split.reason.contains("no majority"))
    }

    @Test func staleObservationsAreIgnored() {
        // Ankara's "down" is older than the freshness window (3 × 1s + 500ms), so only Istanbul votes.
        let result = verdict([observation(.up, by: "istanbul"), observation(.down, by: "ankara", ago: .seconds(4))])
        #expect(result.verdict == .up)
        #expect(result.staleObservers == ["ankara"])
        #expect(verdict([observation(.down, by: "ankara", ago: .milliseconds(3400))]).verdict == .down)
    }

    @Test func theViewSaysWhenItsFirstObservationGoesStale() {
        // The window is 3 × 1s + 500ms: Ankara's observation from 2 s ago is the first to go.
        let view = Consensus.evaluate(world, observations: [observation(.up, by: "istanbul"), observation(.down, by: "ankara", ago: .seconds(2)),
                                                            observation(.down, by: "izmir", ago: .seconds(9))],
                                      vantage: "istanbul", peers: peers(of: "istanbul"), now: TestWorld.now)
        #expect(view.freshUntil == TestWorld.now + .milliseconds(1500))
        let later = Consensus.evaluate(world, observations: [observation(.down, by: "ankara", ago: .seconds(2))], vantage: "istanbul",
                                       peers: peers(of: "istanbul"), now: TestWorld.now + .milliseconds(1501))
        #expect(later.gateways[gateway]?.verdict == .unknown && later.freshUntil == nil)
    }

    @Test func anObservationFromTheFarFutureIsNotFresh() {
        let future = Observation(gateway: gateway, observer: "ankara", verdict: .down, at: TestWorld.now + .seconds(60))
        #expect(verdict([future]).verdict == .unknown)
    }

    @Test func onlyTheNewestObservationOfEachObserverCounts() {
        let old = observation(.down, by: "ankara", ago: .seconds(1))
        let new = observation(.up, by: "ankara")
        #expect(verdict([new, old]).verdict == .up)
        #expect(verdict([old, new]).verdict == .up)
    }

    @Test func unknownObservationsDoNotVote() {
        let result = verdict([observation(.unknown, by: "istanbul"), observation(.down, by: "ankara")])
        #expect(result.verdict == .down)
        #expect(verdict([observation(.unknown, by: "istanbul")]).verdict == .unknown)
        #expect(verdict([]).verdict == .unknown)
    }

    @Test func theDirectorsOwnLatencyIsPreferred() {
        var own = observation(.up, by: "istanbul")
        own.latency = .milliseconds(2)
        var peer = observation(.up, by: "ankara")
        peer.latency = .milliseconds(9)
        #expect(verdict([own, peer], vantage: "istanbul").latency == .milliseconds(2))
        #expect(verdict([own, peer], vantage: "ankara").latency == .milliseconds(9))
    }

    @Test func aDirectorWithNoFreshPeerIsIsolated() {
        let own = TestWorld.observations(world, by: ["istanbul"])
        let view = Consensus.evaluate(world, observations: own, vantage: "istanbul", peers: ["ankara"], now: TestWorld.now)
        #expect(view.isolated)
        #expect(view.freshPeers.isEmpty)
        let withPeer = Consensus.evaluate(world, observations: TestWorld.observations(world), vantage: "istanbul",
                                          peers: ["ankara"], now: TestWorld.now)
        #expect(!withPeer.isolated)
        #expect(withPeer.freshPeers == ["ankara"])
        // Offline (no vantage), or with no peers to hear from, there is no isolation.
        #expect(!Consensus.evaluate(world, observations: own, vantage: nil, peers: [], now: TestWorld.now).isolated)
        #expect(!Consensus.evaluate(world, observations: own, vantage: "istanbul", peers: [], now: TestWorld.now).isolated)
    }

    @Test func anIsolatedDirectorDoesNotDeclareEveryOtherRegionDead() {
        let ankaraGateways = TestWorld.gateways(of: "ankara", in: world)
        let own = TestWorld.observations(world, down: ankaraGateways, by: ["istanbul"])
        let view = Consensus.evaluate(world, observations: own, vantage: "istanbul", peers: ["ankara"], now: TestWorld.now)
        #expect(view.isolated)
        for name in ankaraGateways {
            #expect(view.gateways[name]?.verdict == .unknown)
            #expect(view.gateways[name]?.distrusted == true)
        }
        #expect(view.gateways["istanbul-1"]?.verdict == .up)
    }

    @Test func anIsolatedDirectorStillTrustsAPartialOutage() {
        // Only one of Ankara's gateways looks down: that is not the signature of a cut link.
        let own = TestWorld.observations(world, down: ["ankara-1"], by: ["istanbul"])
        let view = Consensus.evaluate(world, observations: own, vantage: "istanbul", peers: ["ankara"], now: TestWorld.now)
        #expect(view.gateways["ankara-1"]?.verdict == .down)
        #expect(view.gateways["ankara-1"]?.distrusted == false)
    }

    @Test func aConnectedDirectorTrustsAQuorumThatSeesARegionDown() {
        let ankaraGateways = TestWorld.gateways(of: "ankara", in: world)
        let all = TestWorld.observations(world, down: ankaraGateways)
        let view = Consensus.evaluate(world, observations: all, vantage: "istanbul", peers: ["ankara"], now: TestWorld.now)
        #expect(!view.isolated)
        #expect(ankaraGateways.allSatisfy { view.gateways[$0]?.verdict == .down })
    }
}
