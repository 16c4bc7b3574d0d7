import PropertyBased
import Testing
@testable import MeridianCore

@Suite("Probe share")
struct ProbeShareTests {
    let gateways = (1...1000).map { GatewayName("gw-\($0)")! }

    private func shares(_ directors: [DirectorName]) -> [DirectorName: Set<GatewayName>] {
        var shares: [DirectorName: Set<GatewayName>] = [:]
        for gateway in gateways { shares[ProbeShare.owner(of: gateway, among: directors)!, default: []].insert(gateway) }
        return shares
    }

    @Test("every gateway has exactly one owner, and the shares are about even")
    func evenPartition() {
        let shares = shares(["ist-a", "ist-b", "ist-c"])
        #expect(shares.values.reduce(0) { $0 + $1.count } == gateways.count)
        #expect(shares.values.allSatisfy { (270...400).contains($0.count) }, "\(shares.mapValues(\.count))")
        #expect(ProbeShare.owner(of: "gw-1", among: [DirectorName]()) == nil)
    }

    @Test("a director that leaves moves only its own gateways; one that joins takes only from the others")
    func minimalMovement() {
        let three = shares(["ist-a", "ist-b", "ist-c"])
        let two = shares(["ist-a", "ist-b"])
        #expect(three["ist-a"]!.isSubset(of: two["ist-a"]!) && three["ist-b"]!.isSubset(of: two["ist-b"]!))
        #expect(two["ist-a"]!.union(two["ist-b"]!) == Set(gateways))
    }

    @Test("the owner does not depend on the order the directors are listed in")
    func orderIndependent() async {
        await propertyCheck(input: Gen.int(in: 0...999)) { index in
            let gateway = gateways[index]
            #expect(ProbeShare.owner(of: gateway, among: ["ist-a", "ist-b", "ist-c"] as [DirectorName])
                    == ProbeShare.owner(of: gateway, among: ["ist-c", "ist-a", "ist-b"] as [DirectorName]))
        }
    }

    @Test("a director's share under a configuration: itself plus its active region-mates, others' regions apart")
    func sharesInAConfiguration() {
        var configuration = TestWorld.turkey(istanbulGateways: 20, ankaraGateways: 20)
        let istanbul = configuration.regions.firstIndex { $0.name == "istanbul" }!
        configuration.regions[istanbul].directors.append(DirectorEndpoints(
            name: "ist-b", dns: SocketAddress("127.0.0.1:1")!, redirect: SocketAddress("127.0.0.1:2")!, api: SocketAddress("127.0.0.1:3")!))
        let active = ProbeShare.activeDirectors(of: "istanbul", in: configuration) { $0 == "ist-b" || $0 == "ankara" }
        #expect(active == ["istanbul", "ist-b"], "Ankara's director is not Istanbul's region-mate")
        let mine = ProbeShare.gateways(of: "istanbul", in: configuration, active: active)
        let theirs = ProbeShare.gateways(of: "ist-b", in: configuration, active: active)
        #expect(mine.isDisjoint(with: theirs) && mine.union(theirs) == Set(configuration.gateways.map(\.name)))
        #expect(!mine.isEmpty && !theirs.isEmpty)
        #expect(ProbeShare.gateways(of: "istanbul", in: configuration, active: []).count == configuration.gateways.count)
        #expect(ProbeShare.activeDirectors(of: "istanbul", in: configuration) { _ in false } == ["istanbul"])
    }
}
