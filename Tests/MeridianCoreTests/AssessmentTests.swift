import Testing
@testable import MeridianCore

struct AssessmentTests {
    @Test func aSiteBelowMinHealthyIsUnavailable() {
        let world = TestWorld.turkey(istanbulGateways: 4)
        // 2 of 4 healthy meets 50%; 1 of 4 does not.
        let half = TestWorld.assess(world, observations: TestWorld.observations(world, down: ["istanbul-1", "istanbul-2"]))
        #expect(half.site("istanbul")?.availability == .available)
        #expect(half.site("istanbul")?.healthyFraction == 0.5)
        let quarter = TestWorld.assess(world, observations: TestWorld.observations(
            world, down: ["istanbul-1", "istanbul-2", "istanbul-3"]))
        #expect(quarter.site("istanbul")?.availability == .unavailable)
        #expect(quarter.site("istanbul")?.reason == "1 of 4 gateways healthy, below min-healthy 50%")
        #expect(quarter.site("istanbul")?.score == 0)
    }

    @Test func aSiteWithNoHealthyGatewayIsUnavailableEvenWithMinHealthyZero() {
        var world = TestWorld.turkey()
        world.regions[world.regions.firstIndex { $0.name == "istanbul" }!].minHealthy = 0
        let all = TestWorld.gateways(of: "istanbul", in: world)
        let assessment = TestWorld.assess(world, observations: TestWorld.observations(world, down: all))
        #expect(assessment.site("istanbul")?.availability == .unavailable)
    }

    @Test func unprobedGatewaysAreServedAsUnconfirmed() {
        let world = TestWorld.turkey()
        let assessment = TestWorld.assess(world, observations: [])
        #expect(assessment.sites.allSatisfy { $0.availability == .available })
        #expect(assessment.site("istanbul")?.gateways.allSatisfy { $0.state == .unconfirmed } == true)
    }

    @Test func regionOverridesBeatProbes() {
        let world = TestWorld.turkey()
        let down = Override(target: .region("istanbul"), action: .down, reason: "drill", author: "ops", setAt: TestWorld.now)
        let forced = TestWorld.assess(world, overrides: [down])
        #expect(forced.site("istanbul")?.availability == .unavailable)
        #expect(forced.site("istanbul")?.reason == "forced down by ops: drill")

        let drain = Override(target: .region("istanbul"), action: .drain, reason: "upgrade", author: "ops", setAt: TestWorld.now)
        #expect(TestWorld.assess(world, overrides: [drain]).site("istanbul")?.availability == .drained)

        let all = TestWorld.gateways(of: "ankara", in: world)
        let up = Override(target: .region("ankara"), action: .up, reason: "probes wrong", author: "ops", setAt: TestWorld.now)
        let forcedUp = TestWorld.assess(world, observations: TestWorld.observations(world, down: all), overrides: [up])
        #expect(forcedUp.site("ankara")?.availability == .available)
        #expect(forcedUp.site("ankara")?.servingGateways.count == 2)
    }

    @Test func gatewayOverridesChangeOneGateway() {
        let world = TestWorld.turkey()
        let drain = Override(target: .gateway("istanbul-1"), action: .drain, reason: "patching", author: "ops",
                             setAt: TestWorld.now)
        let site = TestWorld.assess(world, overrides: [drain]).site("istanbul")!
        #expect(site.gateways.first { $0.gateway.name == "istanbul-1" }?.state == .drained)
        // A drained gateway is neither healthy nor counted against the site.
        #expect(site.healthyFraction == 1)
        #expect(site.servingGateways.map(\.name) == ["istanbul-2"])

        let up = Override(target: .gateway("istanbul-2"), action: .up, reason: "false alarm", author: "ops", setAt: TestWorld.now)
        let observed = TestWorld.observations(world, down: ["istanbul-2"])
        #expect(TestWorld.assess(world, observations: observed, overrides: [up]).site("istanbul")?
            .gateways.first { $0.gateway.name == "istanbul-2" }?.state == .up)
    }

    @Test func drainingEveryGatewayDrainsTheSite() {
        let world = TestWorld.turkey()
        let overrides = ["istanbul-1", "istanbul-2"].map {
            Override(target: .gateway(GatewayName($0)!), action: .drain, reason: "x", author: "ops", setAt: TestWorld.now)
        }
        #expect(TestWorld.assess(world, overrides: overrides).site("istanbul")?.availability == .drained)
    }

    @Test func theScoreFallsWithLatencyAndUnhealthyGateways() {
        let world = TestWorld.turkey(istanbulGateways: 4, ankaraGateways: 4)
        let observations = TestWorld.observations(world, down: ["ankara-1"]) { gateway, _ in
            gateway.rawValue.hasPrefix("istanbul") ? .milliseconds(100) : .zero
        }
        let assessment = TestWorld.assess(world, observations: observations)
        // istanbul: 1 × 4/4 × 100/(100+100) = 0.5; ankara: 1 × 3/4 × 100/(100+0) = 0.75.
        #expect(abs(assessment.site("istanbul")!.score - 0.5) < 1e-9)
        #expect(abs(assessment.site("ankara")!.score - 0.75) < 1e-9)
    }

    @Test func latencyIsKeptPerObserver() {
        let world = TestWorld.turkey()
        let observations = TestWorld.observations(world) { gateway, observer in
            .milliseconds(gateway.rawValue.hasPrefix(observer.rawValue) ? 1 : 8)
        }
        let site = TestWorld.assess(world, observations: observations, vantage: "istanbul").site("ankara")!
        #expect(site.latencyByObserver["ankara"] == .milliseconds(1))
        #expect(site.latencyByObserver["istanbul"] == .milliseconds(8))
        #expect(site.latency == .milliseconds(8))
    }
}
