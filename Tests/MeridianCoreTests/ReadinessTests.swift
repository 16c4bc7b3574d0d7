import Testing
@testable import MeridianCore

/// `Readiness`: what `/healthz` answers, judged from an assessment without sockets.
struct ReadinessTests {
    let configuration = TestWorld.turkey()

    @Test func aDirectorWarmingUpIsNotReadyEvenWithAFullView() {
        let readiness = Readiness.judge(TestWorld.assess(configuration, vantage: "istanbul"), probed: 1, warmingUp: true)
        #expect(!readiness.ready && readiness.reason == "warming up: 1 of 4 gateways probed")
    }

    @Test func everyGatewayWithAFreshVoteIsReadyWhetherUpOrDown() {
        let down = TestWorld.gateways(of: "ankara", in: configuration)
        let assessment = TestWorld.assess(configuration, observations: TestWorld.observations(configuration, down: down),
                                          vantage: "istanbul")
        #expect(Readiness.judge(assessment, probed: 4, warmingUp: false).ready, "a site down is news, not a stale view")
    }

    @Test func aGatewayNoFreshObservationSpeaksForIsNotReady() {
        let stale = TestWorld.now - .seconds(60)
        let ankara = TestWorld.gateways(of: "ankara", in: configuration)
        let observations = TestWorld.observations(configuration).map { observation in
            var observation = observation
            if ankara.contains(observation.gateway) { observation.at = stale }
            return observation
        }
        let readiness = Readiness.judge(TestWorld.assess(configuration, observations: observations, vantage: "istanbul"),
                                        probed: 4, warmingUp: false)
        #expect(!readiness.ready)
        #expect(readiness.reason.hasPrefix("no fresh observation of 2 of 4 gateways ("))
        #expect(ankara.allSatisfy { readiness.reason.contains($0.rawValue) })
    }

    @Test func unknownVerdictsDoNotCountAsAFreshView() {
        let observations = TestWorld.observations(configuration).map { observation in
            var observation = observation
            observation.verdict = .unknown
            return observation
        }
        let readiness = Readiness.judge(TestWorld.assess(configuration, observations: observations), probed: 4, warmingUp: false)
        #expect(!readiness.ready)
    }
}
