import Testing
@testable import MeridianServer

struct ConnectionBudgetTests {
    @Test func aThousandDescriptorsKeepTheBaseReserveAndShareTheRestOut() {
        let budget = ConnectionBudget(descriptors: 1024, gateways: 4, peers: 1)
        #expect(budget.reserve == 128 + 2 * 5)
        #expect(budget.redirect == 443 && budget.dnsTCP == 330 && budget.api == 110)
        #expect(budget.reserve + budget.redirect + budget.dnsTCP + budget.api <= 1024)
    }

    @Test func aLargeLimitKeepsAnEighthInReserveAndTheCapsWithinTheirCeilings() {
        let budget = ConnectionBudget(descriptors: 1 << 20, gateways: 10, peers: 2)
        #expect(budget.reserve == (1 << 20) / 8)
        #expect(budget.redirect == ConnectionBudget.redirectCeiling && budget.dnsTCP == ConnectionBudget.dnsTCPCeiling
                && budget.api == ConnectionBudget.apiCeiling)
    }

    @Test func manyGatewaysGrowTheReserveAndDirectorsInOneProcessShareWhatIsLeft() {
        let one = ConnectionBudget(descriptors: 20_000, gateways: 2_000, peers: 3)
        #expect(one.reserve == 128 + 2 * 2_003)
        let two = ConnectionBudget(descriptors: 20_000, gateways: 2_000, peers: 3, directors: 2)
        #expect(two.reserve == 128 + 2 * 2 * 2_003)
        #expect(two.reserve + 2 * (two.redirect + two.dnsTCP + two.api) <= 20_000)
    }

    @Test func aTinyOrAbsurdLimitStillGivesEveryListenerOneConnectionAndNeverOverflows() {
        let tiny = ConnectionBudget(descriptors: 100, gateways: 4, peers: 1)
        #expect(tiny.reserve == 100)
        #expect(tiny.redirect == 1 && tiny.dnsTCP == 1 && tiny.api == 1)
        let absurd = ConnectionBudget(descriptors: .max, gateways: .max, peers: .max, directors: .max)
        #expect(absurd.descriptors == ConnectionBudget.countedUpTo && absurd.reserve == absurd.descriptors)
        let negative = ConnectionBudget(descriptors: -5, gateways: -1, peers: -1, directors: -3)
        #expect(negative.reserve == 0 && negative.redirect == 1)
    }
}
