import Testing
@testable import MeridianCore

/// The two-level vote of a fleet: a region's fresh directors decide its vote by majority, then every
/// region with a vote counts once.
@Suite("Consensus of a fleet")
struct FleetConsensusTests {
    /// Istanbul with three directors (ist-a, ist-b, ist-c), Ankara and Izmir with one each.
    let world: Configuration = {
        var istanbul = TestWorld.region("istanbul", at: TestWorld.istanbul, index: 1)
        istanbul.directors = ["ist-a", "ist-b", "ist-c"].enumerated().map { index, name in
            DirectorEndpoints(name: DirectorName(name)!, dns: SocketAddress("127.0.0.1:\(10100 + index)")!,
                              redirect: SocketAddress("127.0.0.1:\(11100 + index)")!, api: SocketAddress("127.0.0.1:\(12100 + index)")!)
        }
        return Configuration(zone: DomainName("example.test")!,
                             regions: [istanbul, TestWorld.region("ankara", at: TestWorld.ankara, index: 2),
                                       TestWorld.region("izmir", at: TestWorld.izmir, index: 3)],
                             services: [TestWorld.service(regions: ["istanbul", "ankara", "izmir"])], networks: [])
    }()
    let gateway: GatewayName = "ankara-1"

    private func seen(_ verdict: Verdict, by observer: DirectorName, ago: Duration = .zero) -> Observation {
        Observation(gateway: gateway, observer: observer, verdict: verdict, at: TestWorld.now - ago)
    }

    private func view(_ observations: [Observation], vantage: DirectorName = "ist-a") -> ConsensusView {
        let peers = world.directors.map(\.endpoints.name).filter { $0 != vantage }
        return Consensus.evaluate(world, observations: observations, vantage: vantage, peers: peers, now: TestWorld.now)
    }

    @Test("a region with more directors never outvotes one with fewer")
    func regionsVoteOnce() {
        let result = view([seen(.down, by: "ist-a"), seen(.down, by: "ist-b"), seen(.down, by: "ist-c"),
                           seen(.up, by: "ankara"), seen(.up, by: "izmir")]).gateways[gateway]!
        // Three of five directors see it down, but only one of three regions does.
        #expect(result.verdict == .up)
        #expect(result.downVotes == 1 && result.upVotes == 2)
        #expect(result.reason == "only 1 of 3 regions see it down (no majority)")
    }

    @Test("a region's vote is its fresh directors' majority")
    func regionMajority() {
        let result = view([seen(.down, by: "ist-a"), seen(.down, by: "ist-b"), seen(.up, by: "ist-c"),
                           seen(.down, by: "ankara"), seen(.up, by: "izmir")]).gateways[gateway]!
        #expect(result.verdict == .down)
        #expect(result.downVotes == 2 && result.upVotes == 1)
        #expect(result.reason == "2 of 3 regions see it down")
    }

    @Test("a tie among a region's directors keeps the gateway up in its vote")
    func regionTieKeepsUp() {
        let result = view([seen(.down, by: "ist-a"), seen(.up, by: "ist-b"), seen(.down, by: "ankara"), seen(.up, by: "izmir")])
            .gateways[gateway]!
        #expect(result.verdict == .up)
        #expect(result.downVotes == 1 && result.upVotes == 2)
    }

    @Test("a stale director does not vote in its region")
    func staleDirectorLeavesTheRegionVote() {
        let result = view([seen(.down, by: "ist-a"), seen(.up, by: "ist-b", ago: .seconds(10)), seen(.up, by: "ist-c", ago: .seconds(10)),
                           seen(.down, by: "ankara")]).gateways[gateway]!
        #expect(result.verdict == .down)
        #expect(result.staleObservers == ["ist-b", "ist-c"])
        #expect(result.downVotes == 2 && result.upVotes == 0)
    }

    @Test("an observer the configuration does not name has no vote")
    func strangersDoNotVote() {
        let result = view([seen(.down, by: "ist-z"), seen(.down, by: "trabzon"), seen(.up, by: "ankara")]).gateways[gateway]!
        #expect(result.verdict == .up)
        #expect(result.observations.map(\.observer) == ["ankara"])
    }

    @Test("isolation is judged per director: a fresh region-mate is a fresh peer")
    func isolationPerDirector() {
        let mates = view([seen(.up, by: "ist-a"), seen(.up, by: "ist-b")])
        #expect(!mates.isolated && mates.freshPeers == ["ist-b"])
        let alone = view([seen(.down, by: "ist-a")])
        #expect(alone.isolated && alone.freshPeers.isEmpty)
    }

    @Test("an isolated director of a fleet distrusts an outage of every other region")
    func isolatedFleetDirectorDistrustsRemoteOutage() {
        let own = world.gateways.filter { $0.region != "istanbul" }.map {
            Observation(gateway: $0.name, observer: "ist-b", verdict: .down, at: TestWorld.now)
        }
        let result = view(own, vantage: "ist-b")
        #expect(result.isolated)
        #expect(result.gateways[gateway]?.verdict == .unknown && result.gateways[gateway]?.distrusted == true)
    }

    @Test("latency per observer region is the median of the region's directors")
    func latencyByRegion() {
        var observations = [seen(.up, by: "ist-a"), seen(.up, by: "ist-b"), seen(.up, by: "ist-c"), seen(.up, by: "izmir")]
        for (index, milliseconds) in [4, 6, 40, 9].enumerated() { observations[index].latency = .milliseconds(Int64(milliseconds)) }
        let assessment = Assessment.make(world, observations: observations, overrides: [], vantage: "ist-a",
                                         peers: ["ist-b", "ist-c", "ankara", "izmir"], now: TestWorld.now)
        let ankara = assessment.site("ankara")!
        #expect(ankara.latencyByObserver["istanbul"] == .milliseconds(6))
        #expect(ankara.latencyByObserver["izmir"] == .milliseconds(9))
        #expect(assessment.vantage == "istanbul")
    }
}
