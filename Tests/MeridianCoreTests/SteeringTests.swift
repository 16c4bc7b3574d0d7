import Testing
@testable import MeridianCore

struct SteeringTests {
    let world = TestWorld.turkey()

    private func decide(_ policy: SteeringPolicy, client: GeoPoint? = TestWorld.istanbul,
                        down: Set<GatewayName> = [], overrides: [Override] = [], selector: UInt64 = 0,
                        family: AddressFamily? = nil) -> Decision {
        let assessment = TestWorld.assess(world, observations: TestWorld.observations(world, down: down),
                                          overrides: overrides)
        return Steering.decide(world.service(named: policy.rawValue)!, for: TestWorld.client(at: client),
                               in: assessment, family: family, selector: selector)
    }

    private var istanbulDown: Set<GatewayName> { TestWorld.gateways(of: "istanbul", in: world) }

    // MARK: nearest

    @Test func nearestSendsEachClientToTheClosestSite() {
        #expect(decide(.nearest, client: TestWorld.istanbul).chosenRegion == "istanbul")
        #expect(decide(.nearest, client: TestWorld.izmir).chosenRegion == "istanbul")
        #expect(decide(.nearest, client: TestWorld.ankara).chosenRegion == "ankara")
        #expect(decide(.nearest, client: TestWorld.trabzon).chosenRegion == "ankara")
    }

    @Test func nearestSkipsAnUnavailableSite() {
        let decision = decide(.nearest, client: TestWorld.istanbul, down: istanbulDown)
        #expect(decision.chosenRegion == "ankara")
        #expect(decision.candidates.first { $0.region == "istanbul" }?.eligible == false)
        #expect(decision.reason.contains("ankara is the nearest eligible site"))
    }

    @Test func nearestExplainsTheRunnerUp() {
        let decision = decide(.nearest, client: TestWorld.istanbul)
        let kilometres = Int(TestWorld.istanbul.distance(to: TestWorld.ankara).rounded())
        #expect(decision.reason == "istanbul is the nearest eligible site (0 km); next: ankara at \(kilometres) km")
        #expect(decision.candidates.map(\.region) == ["istanbul", "ankara"])
        #expect(decision.candidates[1].distanceKilometres.map { Int($0.rounded()) } == kilometres)
    }

    @Test func nearestWithoutALocationRanksByScoreThenOrder() {
        // Equal scores: the service's order decides.
        #expect(decide(.nearest, client: nil).chosenRegion == "istanbul")
        // One Istanbul gateway down: Ankara's score is higher.
        let decision = decide(.nearest, client: nil, down: ["istanbul-1"])
        #expect(decision.chosenRegion == "ankara")
        #expect(decision.reason.hasPrefix("client location unknown"))
    }

    @Test func aDistanceTieIsBrokenByScore() {
        // Two sites at the same place: distance ties, so the higher score wins, then the order.
        let world = Configuration(
            zone: DomainName("example.test")!,
            regions: [TestWorld.region("east", at: TestWorld.ankara, index: 1),
                      TestWorld.region("west", at: TestWorld.ankara, index: 2)],
            services: [TestWorld.service(regions: ["east", "west"])], networks: [])
        let assessment = TestWorld.assess(world, observations: TestWorld.observations(world, down: ["west-1"]))
        let decision = Steering.decide(world.services[0], for: TestWorld.client(at: TestWorld.istanbul), in: assessment)
        #expect(decision.chosenRegion == "east")
        let westFavoured = Steering.decide(world.services[0], for: TestWorld.client(at: TestWorld.istanbul),
                                           in: TestWorld.assess(world, observations: TestWorld.observations(world, down: ["east-1"])))
        #expect(westFavoured.chosenRegion == "west")
        let even = Steering.decide(world.services[0], for: TestWorld.client(at: TestWorld.istanbul),
                                   in: TestWorld.assess(world))
        #expect(even.chosenRegion == "east")
    }

    // MARK: failover

    @Test func failoverTakesTheFirstAvailableSiteInOrder() {
        #expect(decide(.failover, client: TestWorld.ankara).chosenRegion == "istanbul")
        let failed = decide(.failover, client: TestWorld.ankara, down: istanbulDown)
        #expect(failed.chosenRegion == "ankara")
        #expect(failed.reason == "istanbul not eligible; ankara is next in the failover order")
    }

    // MARK: weighted

    @Test func weightedSplitsByWeightAndTheSelectorPicks() {
        var world = TestWorld.turkey()
        world.services = [TestWorld.service(policy: .weighted, regions: ["istanbul", "ankara"],
                                            weights: ["istanbul": 3, "ankara": 1])]
        let assessment = TestWorld.assess(world)
        let low = Steering.decide(world.services[0], for: TestWorld.client(at: nil), in: assessment, selector: 0)
        #expect(low.shares == ["istanbul": 0.75, "ankara": 0.25])
        #expect(low.chosenRegion == "istanbul")
        let high = Steering.decide(world.services[0], for: TestWorld.client(at: nil), in: assessment, selector: .max)
        #expect(high.chosenRegion == "ankara")
        #expect(high.candidates.first?.region == "ankara")
        #expect(high.reason == "weighted split istanbul 75%, ankara 25%; this client falls to ankara")
    }

    @Test func weightedSharesShrinkWithUnhealthyGateways() {
        var world = TestWorld.turkey(istanbulGateways: 4)
        world.services = [TestWorld.service(policy: .weighted, regions: ["istanbul", "ankara"])]
        let assessment = TestWorld.assess(world, observations: TestWorld.observations(world, down: ["istanbul-1", "istanbul-2"]))
        let decision = Steering.decide(world.services[0], for: TestWorld.client(at: nil), in: assessment)
        #expect(abs(decision.shares["istanbul"]! - 1.0 / 3.0) < 1e-9)
    }

    @Test func weightedWithAllWeightsZeroSplitsEvenly() {
        var world = TestWorld.turkey()
        world.services = [TestWorld.service(policy: .weighted, regions: ["istanbul", "ankara"],
                                            weights: ["istanbul": 0, "ankara": 0])]
        let decision = Steering.decide(world.services[0], for: TestWorld.client(at: nil), in: TestWorld.assess(world))
        #expect(decision.shares == ["istanbul": 0.5, "ankara": 0.5])
    }

    // MARK: latency

    @Test func latencyUsesTheMeasurementsOfTheDirectorNearestTheClient() {
        // Each director measures its own region at 1 ms and the other at 9 ms; Ankara's gateways are
        // faster overall from Istanbul's view only if we looked at the wrong observer.
        let observations = TestWorld.observations(world) { gateway, observer in
            .milliseconds(gateway.rawValue.hasPrefix(observer.rawValue) ? 1 : 9)
        }
        let assessment = TestWorld.assess(world, observations: observations)
        let service = world.service(named: "latency")!
        let fromAnkara = Steering.decide(service, for: TestWorld.client(at: TestWorld.trabzon), in: assessment)
        #expect(fromAnkara.chosenRegion == "ankara")
        #expect(fromAnkara.candidates[0].latencyObserver == "ankara")
        #expect(fromAnkara.reason.contains("as measured from ankara's director"))
        let fromIstanbul = Steering.decide(service, for: TestWorld.client(at: TestWorld.izmir), in: assessment)
        #expect(fromIstanbul.chosenRegion == "istanbul")
    }

    @Test func latencyPrefersTheFasterSiteOverTheNearerOne() {
        let observations = TestWorld.observations(world) { gateway, _ in
            .milliseconds(gateway.rawValue.hasPrefix("istanbul") ? 40 : 5)
        }
        let decision = Steering.decide(world.service(named: "latency")!, for: TestWorld.client(at: TestWorld.istanbul),
                                       in: TestWorld.assess(world, observations: observations))
        #expect(decision.chosenRegion == "ankara")
        #expect(decision.reason.contains("5ms"))
    }

    @Test func latencyWithoutMeasurementsFallsBackToNearest() {
        let decision = decide(.latency, client: TestWorld.ankara)
        #expect(decision.chosenRegion == "ankara")
        #expect(decision.reason.hasPrefix("no latency measured yet"))
    }

    // MARK: drained sites and all-down

    @Test func aDrainedSiteIsALastResortOnly() {
        let drain = Override(target: .region("istanbul"), action: .drain, reason: "upgrade", author: "ops", setAt: TestWorld.now)
        #expect(decide(.nearest, client: TestWorld.istanbul, overrides: [drain]).chosenRegion == "ankara")
        let ankaraDown = TestWorld.gateways(of: "ankara", in: world)
        let lastResort = decide(.nearest, client: TestWorld.istanbul, down: ankaraDown, overrides: [drain])
        #expect(lastResort.chosenRegion == "istanbul")
        #expect(lastResort.reason.hasPrefix("no site is available, so drained sites are used"))
    }

    private func allDown(_ behaviour: AllDownBehaviour, family: AddressFamily? = nil,
                         overrides: [Override] = []) -> Decision {
        var world = TestWorld.turkey()
        world.services = [TestWorld.service(regions: ["istanbul", "ankara"], allDown: behaviour, maxAnswers: 8)]
        let observations = TestWorld.observations(world, down: Set(world.gateways.map(\.name)))
        return Steering.decide(world.services[0], for: TestWorld.client(at: TestWorld.istanbul),
                               in: TestWorld.assess(world, observations: observations, overrides: overrides), family: family)
    }

    @Test func failOpenAnswersWithEveryGatewayNotForcedDown() {
        let decision = allDown(.failOpen)
        #expect(decision.outcome == .allDown(.failOpen))
        #expect(Set(decision.addresses) == Set(world.gateways.map(\.address)))
        #expect(decision.shares.isEmpty)
        let forced = Override(target: .region("ankara"), action: .down, reason: "x", author: "ops", setAt: TestWorld.now)
        #expect(Set(allDown(.failOpen, overrides: [forced]).addresses) == Set(world.region("istanbul")!.gateways.map(\.address)))
    }

    @Test func failClosedAnswersWithNothing() {
        let decision = allDown(.failClosed)
        #expect(decision.outcome == .allDown(.failClosed))
        #expect(decision.addresses.isEmpty)
        #expect(decision.redirectURL == nil)
        #expect(decision.reason.contains("fail-closed"))
    }

    @Test func fallbackAnswersWithTheFallbackTarget() {
        let target = FallbackTarget(addresses: [IPAddress("192.0.2.80")!, IPAddress("2001:db8::80")!],
                                    url: BaseURL("https://sorry.example.test"))
        let decision = allDown(.fallback(target))
        #expect(decision.addresses == target.addresses)
        #expect(decision.redirectURL == target.url)
        #expect(allDown(.fallback(target), family: .v6).addresses == [IPAddress("2001:db8::80")!])
    }

    // MARK: answer sets

    @Test func answersAreTheChosenSitesServingGatewaysCappedAndRotated() {
        var world = TestWorld.turkey(istanbulGateways: 5)
        world.services = [TestWorld.service(regions: ["istanbul", "ankara"], maxAnswers: 3)]
        let assessment = TestWorld.assess(world, observations: TestWorld.observations(world, down: ["istanbul-2"]))
        let first = Steering.decide(world.services[0], for: TestWorld.client(at: TestWorld.istanbul), in: assessment, selector: 0)
        #expect(first.addresses.map(\.description) == ["127.1.0.1", "127.1.0.3", "127.1.0.4"])
        let second = Steering.decide(world.services[0], for: TestWorld.client(at: TestWorld.istanbul), in: assessment, selector: 1)
        #expect(second.addresses.map(\.description) == ["127.1.0.3", "127.1.0.4", "127.1.0.5"])
        let wrapped = Steering.decide(world.services[0], for: TestWorld.client(at: TestWorld.istanbul), in: assessment, selector: 3)
        #expect(wrapped.addresses.map(\.description) == ["127.1.0.5", "127.1.0.1", "127.1.0.3"])
    }

    @Test func answersFollowTheQueriedFamily() {
        var world = TestWorld.turkey()
        world.regions[world.regions.firstIndex { $0.name == "istanbul" }!] =
            TestWorld.region("istanbul", at: TestWorld.istanbul, index: 1, gateways: 4, ipv6: true)
        let assessment = TestWorld.assess(world)
        let service = world.service(named: "nearest")!
        let v6 = Steering.decide(service, for: TestWorld.client(at: TestWorld.istanbul), in: assessment, family: .v6)
        #expect(v6.addresses.allSatisfy { $0.family == .v6 } && v6.addresses.count == 2)
        let v4 = Steering.decide(service, for: TestWorld.client(at: TestWorld.istanbul), in: assessment, family: .v4)
        #expect(v4.addresses.allSatisfy { $0.family == .v4 } && v4.addresses.count == 2)
    }

    @Test func theRedirectURLIsTheChosenRegionsBaseURL() {
        let decision = decide(.nearest, client: TestWorld.ankara)
        #expect(decision.redirectURL?.text == "https://ankara.example.test")
    }

    @Test func anIsolatedDirectorSaysSoInEveryDecision() {
        let own = TestWorld.observations(world, by: ["istanbul"])
        let assessment = TestWorld.assess(world, observations: own, vantage: "istanbul")
        let decision = Steering.decide(world.service(named: "nearest")!, for: TestWorld.client(at: TestWorld.ankara),
                                       in: assessment)
        #expect(decision.isolated)
        #expect(decision.chosenRegion == "ankara")
    }
}

struct ClientLocatorTests {
    @Test func theLongestMatchingNetworkGivesTheLocation() {
        var world = TestWorld.turkey()
        world.networks.append(ClientNetwork(name: "istanbul-office", prefixes: [TestWorld.prefix("10.34.7.0/24")],
                                            location: NamedLocation(point: TestWorld.izmir)))
        let locator = ClientLocator(world)
        let office = locator.locate(IPAddress("10.34.7.9")!)
        #expect(office.source == .network("istanbul-office", TestWorld.prefix("10.34.7.0/24")))
        #expect(office.point == TestWorld.izmir)
        #expect(locator.locate(IPAddress("10.34.8.9")!).point == TestWorld.istanbul)
        #expect(locator.locate(IPAddress("2001:db8:34::77")!).point == TestWorld.istanbul)
    }

    @Test func unmatchedClientsFallBackToDefaultThenDirectorThenUnknown() {
        var world = TestWorld.turkey()
        let address = IPAddress("198.51.100.7")!
        let vantage = world.region("ankara")!
        #expect(ClientLocator(world).locate(address).source == .unknown)
        #expect(ClientLocator(world).locate(address, vantage: vantage).source == .director("ankara"))
        #expect(ClientLocator(world).locate(address, vantage: vantage).point == TestWorld.ankara)
        world.defaultLocation = NamedLocation(region: "istanbul", point: TestWorld.istanbul)
        let located = ClientLocator(world).locate(address, vantage: vantage)
        #expect(located.source == .defaultLocation)
        #expect(located.point == TestWorld.istanbul)
    }
}
