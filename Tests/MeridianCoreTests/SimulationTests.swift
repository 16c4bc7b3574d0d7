import Testing
@testable import MeridianCore

struct SimulationTests {
    let world = TestWorld.turkey()

    private func impact(_ report: SimulationReport, _ service: String) -> ServiceImpact {
        report.services.first { $0.service == service }!
    }

    @Test func failingIstanbulMovesEveryIstanbulNetworkToAnkara() {
        let report = Simulation.run(world, failing: ["istanbul"])
        let nearest = impact(report, "nearest")
        let metro = nearest.clients.first { $0.client == "istanbul-metro" }!
        #expect(metro.before.shares == [SiteShare(region: "istanbul", share: 1)])
        #expect(metro.after.shares == [SiteShare(region: "ankara", share: 1)])
        #expect(metro.moved)
        let ankaraMetro = nearest.clients.first { $0.client == "ankara-metro" }!
        #expect(!ankaraMetro.moved)
        // Every policy sends everything to Ankara afterwards.
        for service in report.services {
            #expect(service.clients.allSatisfy { $0.after.shares == [SiteShare(region: "ankara", share: 1)] })
        }
    }

    @Test func loadsMoveAndAreCheckedAgainstCapacity() {
        let nearest = impact(Simulation.run(world, failing: ["istanbul"]), "nearest")
        let ankara = nearest.sites.first { $0.region == "ankara" }!
        let istanbul = nearest.sites.first { $0.region == "istanbul" }!
        #expect(istanbul.loadBefore == 9000 && istanbul.loadAfter == 0 && istanbul.failed)
        #expect(ankara.loadBefore == 6000 && ankara.loadAfter == 15000 && !ankara.failed)
        #expect(ankara.utilisationAfter == 0.75 && !ankara.overCapacity)

        var small = world
        small.regions[small.regions.firstIndex { $0.name == "ankara" }!].capacity = 10000
        let crowded = impact(Simulation.run(small, failing: ["istanbul"]), "nearest")
        #expect(crowded.sites.first { $0.region == "ankara" }!.overCapacity)
        #expect(crowded.warnings.contains("ankara would carry 15000, 150% of its capacity 10000"))
    }

    @Test func timeToMoveIsDetectionPlusTTL() throws {
        let report = Simulation.run(world, failing: ["istanbul"])
        let move = try #require(impact(report, "nearest").timeToMove)
        // interval 1s × fall 2 + timeout 500ms + ttl 30s
        #expect(move.seconds == 32.5)
        #expect(move.probeIntervalSeconds == 1 && move.fall == 2 && move.probeTimeoutSeconds == 0.5 && move.ttlSeconds == 30)
    }

    @Test func aServiceWithoutTheFailedRegionIsNotAffected() {
        var world = self.world
        world.services = [TestWorld.service("only-ankara", regions: ["ankara"])]
        let service = impact(Simulation.run(world, failing: ["istanbul"]), "only-ankara")
        #expect(service.timeToMove == nil)
        #expect(service.clients.allSatisfy { !$0.moved })
    }

    @Test func failingEverySiteAppliesTheAllDownBehaviour() {
        var world = self.world
        world.services = [TestWorld.service("closed", regions: ["istanbul", "ankara"], allDown: .failClosed),
                          TestWorld.service("open", regions: ["istanbul", "ankara"], allDown: .failOpen)]
        let report = Simulation.run(world, failing: ["istanbul", "ankara"])
        let closed = impact(report, "closed")
        #expect(closed.clients.allSatisfy { $0.after.outcome == "fail-closed" && $0.after.shares.isEmpty })
        #expect(closed.unservedLoadAfter == 15000)
        #expect(closed.warnings.contains("istanbul-metro has no site after the failure (fail-closed)"))
        #expect(impact(report, "open").clients.allSatisfy { $0.after.outcome == "fail-open" })
        #expect(report.warnings.contains { $0.hasPrefix("closed: ") })
    }

    @Test func weightedSharesAreReportedAsSplits() {
        var world = self.world
        world.services = [TestWorld.service("split", policy: .weighted, regions: ["istanbul", "ankara"],
                                            weights: ["istanbul": 3, "ankara": 1])]
        let service = impact(Simulation.run(world, failing: ["istanbul"]), "split")
        let metro = service.clients.first { $0.client == "istanbul-metro" }!
        #expect(metro.before.summary == "istanbul 75% / ankara 25%")
        #expect(metro.after.summary == "ankara")
        #expect(service.sites.first { $0.region == "istanbul" }!.loadBefore == 15000 * 0.75)
    }

    @Test func extraClientsAreLocatedLikeRealOnes() {
        let report = Simulation.run(world, failing: ["istanbul"],
                                    clients: [IPAddress("10.34.9.9")!, IPAddress("198.51.100.1")!])
        let clients = impact(report, "nearest").clients
        let known = clients.first { $0.client == "10.34.9.9" }!
        #expect(known.kind == "address" && known.before.summary == "istanbul" && known.moved)
        #expect(known.location.contains("istanbul-metro"))
        let unknown = clients.first { $0.client == "198.51.100.1" }!
        #expect(unknown.location.hasPrefix("unknown"))
        #expect(unknown.after.summary == "ankara")
    }
}

extension SimulationTests {
    @Test func aSiteAlreadyOverCapacityIsFlaggedBeforeTheFailureWhenItsServiceDoesNotSpill() {
        var small = world
        small.regions[small.regions.firstIndex { $0.name == "istanbul" }!].capacity = 6000
        for index in small.services.indices { small.services[index].spill = false }
        let nearest = impact(Simulation.run(small, failing: ["ankara"]), "nearest")
        #expect(nearest.warnings.contains("istanbul already carries 9000 before the failure, 150% of its capacity 6000"))
        #expect(nearest.sites.first { $0.region == "istanbul" }?.utilisationBefore == 1.5)
    }
}
