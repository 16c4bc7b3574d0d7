import Testing
@testable import MeridianCore

/// The grid both answering planes prebuild from must hold the decisions steering makes.
struct DecisionGridTests {
    let world = TestWorld.turkey()

    private func snapshot(down: Set<GatewayName> = []) -> SteeringSnapshot {
        let assessment = TestWorld.assess(world, observations: TestWorld.observations(world, down: down), vantage: "istanbul")
        return SteeringSnapshot(assessment: assessment, locator: ClientLocator(world), vantage: world.region("istanbul"))
    }

    @Test(arguments: [Set<GatewayName>(), TestWorld.gateways(of: "istanbul", in: TestWorld.turkey())])
    func everyCellIsTheDecisionForItsPlaceLaneAndFamily(_ down: Set<GatewayName>) {
        let snapshot = snapshot(down: down)
        let grid = snapshot.grid
        for (index, service) in world.services.enumerated() {
            for (bucket, place) in grid.places.representatives.enumerated() {
                for lane in 0..<ClientLanes.count {
                    for family in DecisionGrid.families {
                        let cell = grid.decision(service: index, bucket: bucket, lane: lane, family: family)
                        let made = Steering.decide(service, for: place, in: snapshot.assessment,
                                                   plan: snapshot.plan.plan(for: service.name), family: family,
                                                   selector: ClientLanes.selector(forLane: lane))
                        #expect(cell.service.name == service.name && cell.client == place)
                        #expect(cell.chosenRegion == made.chosenRegion && cell.addresses == made.addresses)
                        #expect(cell.redirectURL == made.redirectURL && cell.reason == made.reason)
                    }
                }
            }
        }
    }

    @Test func theFamilyDecidesOnlyTheAddresses() {
        let grid = snapshot().grid
        for index in world.services.indices {
            for bucket in 0..<grid.places.count {
                for lane in 0..<ClientLanes.count {
                    let v4 = grid.decision(service: index, bucket: bucket, lane: lane, family: .v4)
                    let v6 = grid.decision(service: index, bucket: bucket, lane: lane, family: .v6)
                    #expect(v4.chosenRegion == v6.chosenRegion && v4.redirectURL == v6.redirectURL && v4.reason == v6.reason)
                    #expect(v4.addresses.allSatisfy { $0.family == .v4 } && v6.addresses.allSatisfy { $0.family == .v6 })
                }
            }
        }
    }

    @Test func decidingForAnAddressAgreesWithItsCell() {
        let snapshot = snapshot()
        for text in ["10.34.1.1", "10.34.200.7", "10.6.9.9", "2001:db8:34::1", "192.0.2.1"] {
            let address = IPAddress(text)!
            let bucket = snapshot.grid.places.bucket(for: address).bucket
            for (index, service) in world.services.enumerated() {
                let decision = snapshot.decide(service, for: address, family: address.family)
                let cell = snapshot.grid.decision(service: index, bucket: bucket, lane: ClientLanes.lane(for: address),
                                                  family: address.family)
                #expect(decision.chosenRegion == cell.chosenRegion && decision.addresses == cell.addresses, "\(text)")
            }
        }
    }
}
