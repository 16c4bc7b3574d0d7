import Foundation
import MeridianCore
import MeridianDNS
import MeridianTesting
import NIOCore
import Testing
@testable import MeridianServer

/// Steering that protects the sites, live: stand-in gateways report their load, a full site sheds
/// only its excess, and a site that comes back gets its clients in steps; asked over real DNS and
/// HTTP sockets by a thousand distinct client subnets.
@Suite(.serialized)
struct LoadSteeringTests {
    static let proxy = "127.0.0.2"
    static let addresses = ["istanbul": "127.0.1.1", "ankara": "127.0.2.1", "izmir": "127.0.3.1"]

    /// One distinct client of istanbul-metro (10.34.0.0/16) per number.
    static func client(_ number: Int) -> IPAddress {
        IPAddress("10.34.\(number / 250).\(number % 250 + 1)")!
    }

    /// The region each of `count` clients is answered with over DNS (ECS with the whole address).
    static func dnsRegions(_ running: RunningDirector, count: Int) throws -> [String?] {
        try (0..<count).map { number in
            let query = DNSSocketClient.query("api.example.test", id: UInt16(number & 0xFFFF),
                                              edns: EDNS(clientSubnet: ClientSubnet(address: client(number), sourcePrefixLength: 32)))
            let reply = try #require(DNSSocketClient.udp(query, port: running.dnsPort))
            let message = try DNSMessage(decoding: ByteBuffer(bytes: reply))
            guard case .a(let address)? = message.answers.first?.data else { return nil }
            return addresses.first { $0.value == address.description }?.key
        }
    }

    /// The region each of `count` clients is redirected to, through the trusted proxy.
    static func redirectRegions(_ running: RunningDirector, count: Int) throws -> [String?] {
        try (0..<count).map { number in
            let request = "GET / HTTP/1.1\r\nHost: go.example.test\r\nX-Forwarded-For: \(client(number))\r\nConnection: close\r\n\r\n"
            let response = try RawHTTPClient.exchange(request, port: running.redirectPort, from: proxy)
            return ParsedResponse.first(response)?.headers["x-meridian-region"]
        }
    }

    static func share(_ regions: [String?], _ region: String) -> Double {
        Double(regions.filter { $0 == region }.count) / Double(regions.count)
    }

    /// istanbul-metro's shares as the director's status shows them.
    static func shares(_ running: RunningDirector) async throws -> [String: Double] {
        let status = try await running.status()
        return status.services.first?.steering.first { $0.network == "istanbul-metro" }?.shares ?? [:]
    }

    /// A thousand clients' sites in DNS and in redirects, and the plan's shares they were answered with.
    struct Sample {
        var dns: [String?]
        var redirected: [String?]
        var planned: [String: Double]
    }

    /// A sample taken while the plan stayed the same (`nil` if it moved meanwhile).
    static func steadySample(_ running: RunningDirector) async -> Sample? {
        guard let before = try? await shares(running), let dns = try? dnsRegions(running, count: 1000),
              let redirected = try? redirectRegions(running, count: 1000), let after = try? await shares(running),
              before == after else { return nil }
        return Sample(dns: dns, redirected: redirected, planned: after)
    }

    /// Three sites of 1,000 requests a second each, their gateways reporting load in a header;
    /// answers live 1 s, so the plan may change every second.
    static func world() async throws -> LiveWorld {
        var world = try await LiveWorld.start(perRegion: 1, withIzmir: true)
        for index in world.configuration.regions.indices {
            world.configuration.regions[index].capacity = 1000
            for gateway in world.configuration.regions[index].gateways.indices {
                world.configuration.regions[index].gateways[gateway].probe.load = LoadReading("header X-Gateway-Load")
            }
        }
        world.configuration.services[0].ttl = 1
        world.configuration.services[0].ttlMin = 1
        world.configuration.services[0].maxAnswers = 1
        let urls = ["istanbul", "ankara", "izmir"].map { (RegionName($0)!, BaseURL("https://\($0).api.example.test")!) }
        world.configuration.services[0].redirect = RedirectSettings(hosts: [DomainName("go.example.test")!], status: 302,
                                                                    otherMethods: 307, urls: Dictionary(uniqueKeysWithValues: urls))
        world.configuration.trustedProxies = [try IPPrefix.parse("\(proxy)/32").get()]
        // A thousand queries a round from one loopback address are no flood here.
        world.configuration.rateLimit = .off
        return world
    }

    /// What each site's clients really ask for: the stand-ins report what the plan in force sends
    /// them of it, as real gateways would (a site keeping 60 % of a 1,500 demand reports 900).
    actor Demand {
        var bySite: [String: Double]
        init(_ bySite: [String: Double]) { self.bySite = bySite }
        func set(_ bySite: [String: Double]) { self.bySite = bySite }
    }

    /// Feeds the stand-ins, every 100 ms, the load `demand` and the director's plan give them.
    static func feed(_ world: LiveWorld, _ running: RunningDirector, _ demand: Demand) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                let truth = await demand.bySite
                if let sites = try? await running.status().services.first?.sites, !sites.isEmpty {
                    for site in sites {
                        let asked = truth[site.region] ?? 0
                        // A site that sheds carries what it keeps; one that takes others' clients carries them too.
                        let carried = site.shed > 0 ? asked * (1 - site.shed) : asked + max(0, site.load - site.demand)
                        world.gateways[GatewayName("\(site.region.prefix(3))-1")!]?.load = carried
                    }
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test func aFullSiteShedsOnlyItsExcessAlikeInDNSAndRedirectsAndTakesItBackUnderItsLowWatermark() async throws {
        let world = try await Self.world()
        let demand = Demand(["istanbul": 1500, "ankara": 300, "izmir": 300])
        for (gateway, load) in ["ist-1": 1500.0, "ank-1": 300, "izm-1": 300] { world.gateways[GatewayName(gateway)!]!.load = load }
        let running = try await RunningDirector.start(world)
        let feeding = Self.feed(world, running, demand)
        defer { feeding.cancel(); Task { await running.stop(); await world.stop() } }

        // Istanbul is asked for 1,500 against a high watermark of 900: it keeps 900 / 1,500 = 60 % of
        // its clients; Ankara and Izmir have 600 each of room, and take 20 % each.
        var computed: [String: Double] = [:]
        #expect(await eventually {
            computed = (try? await Self.shares(running)) ?? [:]
            return [("istanbul", 0.6), ("ankara", 0.2), ("izmir", 0.2)].allSatisfy { abs((computed[$0] ?? 0) - $1) <= 0.02 }
        }, "\(computed)")
        // It reports 900 now, and the demand seen through the share it keeps is still 1,500.
        #expect(await eventually {
            let site = try? await running.status().services.first?.sites?.first { $0.region == "istanbul" }
            return site?.demandSource == "observed" && site?.reported.map { abs($0 - 900) <= 20 } == true
                && site.map { abs($0.demand - 1500) <= 30 } == true
        })

        // A thousand distinct clients: the share answered with each site is within 3 points of the plan's,
        // and every client gets the same site from DNS and from the redirector.
        // The plan moves at most once per TTL as the stand-ins' reports settle: the sample counts when
        // the plan was the same before and after it.
        var sample: Sample?
        #expect(await eventually(within: .seconds(30)) {
            sample = await Self.steadySample(running)
            return sample != nil
        })
        let (dns, redirected, planned) = (sample?.dns ?? [], sample?.redirected ?? [], sample?.planned ?? [:])
        for region in ["istanbul", "ankara", "izmir"] {
            #expect(abs(Self.share(dns, region) - (planned[region] ?? 0)) <= 0.03, "\(region): DNS \(Self.share(dns, region))")
            #expect(abs(Self.share(redirected, region) - (planned[region] ?? 0)) <= 0.03,
                    "\(region): redirects \(Self.share(redirected, region))")
        }
        #expect(zip(dns, redirected).filter { $0 != $1 }.count <= 10)

        // Istanbul's demand falls to 850, between its watermarks: it holds to its low watermark (800 of
        // 850 kept, 94 %) rather than taking every client back at once.
        await demand.set(["istanbul": 850, "ankara": 300, "izmir": 300])
        #expect(await eventually { (try? await Self.shares(running))?["istanbul"].map { abs($0 - 800.0 / 850) <= 0.02 } == true })
        // Under the low watermark every client comes back.
        await demand.set(["istanbul": 700, "ankara": 300, "izmir": 300])
        #expect(await eventually { (try? await Self.shares(running))?["istanbul"] == 1 })
        #expect(Self.share(try Self.dnsRegions(running, count: 200), "istanbul") == 1)
    }

    @Test func aSiteThatComesBackGetsItsClientsInStepsSeenInDNSAnswers() async throws {
        var world = try await LiveWorld.start(perRegion: 1)
        world.configuration.services[0].failback = Failback(steps: [0.1, 0.5, 1], hold: .seconds(3))
        world.configuration.services[0].ttlMin = 2
        world.configuration.services[0].maxAnswers = 1
        world.configuration.rateLimit = .off
        let running = try await RunningDirector.start(world)
        defer { Task { [world] in await running.stop(); await world.stop() } }
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        #expect(Self.share(try Self.dnsRegions(running, count: 1000), "istanbul") == 1)

        try await world.gateways["ist-1"]!.setMode(.down)
        #expect(await eventually { (try? Self.share(Self.dnsRegions(running, count: 100), "istanbul")) == 0 })
        try await world.gateways["ist-1"]!.setMode(.healthy)

        // 10 %, then 50 %, then every client: each step seen over a thousand clients, within 3 points.
        for step in [0.1, 0.5, 1] {
            var seen: [Double] = []
            #expect(await eventually(within: .seconds(15)) {
                guard let share = try? Self.share(Self.dnsRegions(running, count: 1000), "istanbul") else { return false }
                seen.append(share)
                return abs(share - step) <= 0.03
            }, "step \(step): saw \(seen)")
        }
        // Answers carry ttl-min (2 s, not 10) while the site's health is this fresh; the journal says each step.
        let reply = try #require(DNSSocketClient.udp(DNSSocketClient.query("api.example.test"), port: running.dnsPort))
        #expect(try DNSMessage(decoding: ByteBuffer(bytes: reply)).answers.first?.ttl == 2)
        // The explanation says the TTL and why it is short.
        let explained = running.director.explain(client: IPAddress("10.34.0.1")!, service: world.configuration.services[0])
        #expect(explained.ttl == 2 && explained.ttlDoubt?.isEmpty == false, "\(explained)")
        let journal = String(decoding: try await running.get("/v1/events?limit=50").body, as: UTF8.self)
        #expect(journal.contains("failback") && journal.contains("has 50"), "\(journal)")
    }
}
