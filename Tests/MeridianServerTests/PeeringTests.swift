#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import MeridianCore
import MeridianTesting
import NIOCore
import Synchronization
import Testing
@testable import MeridianServer

@Suite("Event journal")
struct EventJournalTests {
    @Test("bounded, newest first, and read back from its folder")
    func journal() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = EventJournal(directory: folder, capacity: 5)
        for index in 1...12 { journal.record(.verdict, "gw-\(index)", "up → down") }
        #expect(journal.latest(3).map(\.subject) == ["gw-12", "gw-11", "gw-10"])
        #expect(journal.latest(100).count == 5)
        journal.flush()
        let reopened = EventJournal(directory: folder, capacity: 5)
        #expect(reopened.latest(100).map(\.subject) == ["gw-12", "gw-11", "gw-10", "gw-9", "gw-8"])
        let lines = try String(contentsOfFile: folder + "/events.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count < 10, "the file is rewritten to the last events when it grows")
        let mode = try #require(FileManager.default.attributesOfItem(atPath: folder + "/events.jsonl")[.posixPermissions] as? Int)
        #expect(mode == 0o600, "the rewritten journal keeps mode 0600")
    }
}

/// Two directors on loopback peering for real: stand-in gateways, HTTP pushes, signed reports.
@Suite(.serialized)
struct PeeringTests {
    /// The ports `freePort` has handed out: the system may give a closed port again at once.
    private static let handedOut = Mutex<Set<UInt16>>([])

    /// A port on 127.0.0.1 that nothing listens on and no earlier call returned.
    static func freePort() throws -> UInt16 {
        while true {
            let port = try unusedPort()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
    }

    /// A port that was free a moment ago.
    private static func unusedPort() throws -> UInt16 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// `configuration` with each director's API on a free port (peers find each other there).
    static func withFreeAPIPorts(_ configuration: Configuration) throws -> Configuration {
        var configuration = configuration
        for index in configuration.regions.indices {
            let old = configuration.regions[index].director
            configuration.regions[index].director = DirectorEndpoints(
                name: old.name, dns: old.dns, redirect: old.redirect, api: SocketAddress(ip: IPAddress("127.0.0.1")!, port: try freePort()))
        }
        return configuration
    }

    func state(_ running: RunningDirector, _ gateway: GatewayName) -> GatewayState? {
        running.director.assessment().sites.flatMap(\.gateways).first { $0.gateway.name == gateway }?.state
    }

    @Test func directorsAgreeAndOneCutLinkDoesNotOutvoteTheOther() async throws {
        let world = try await LiveWorld.start()
        let shared = try Self.withFreeAPIPorts(world.configuration)
        // Ankara's probes to ist-1 go to a port where nothing listens: only Ankara sees it down.
        var blocked = shared
        let istanbul = blocked.regions.firstIndex { $0.name == "istanbul" }!
        blocked.regions[istanbul].gateways[0].probe.targetPort = try Self.freePort()
        let first = try await RunningDirector.start(world, region: "istanbul", configuration: shared, peering: true)
        let second = try await RunningDirector.start(world, region: "ankara", configuration: blocked, peering: true)

        #expect(await eventually { second.verdict("ist-1") == .down && first.verdict("ist-1") == .up })
        #expect(await eventually {
            ["ist-2", "ank-1", "ank-2"].allSatisfy { first.verdict(GatewayName($0)!) == .up && second.verdict(GatewayName($0)!) == .up }
        })
        #expect(await eventually {
            [first, second].allSatisfy { running in
                let status = running.director.status()
                return status.peers.allSatisfy { $0.state == "fresh" } && !status.director.isolated
            }
        })
        // One of two observers sees ist-1 down: no majority, it stays in service at both directors
        // (once Ankara has Istanbul's report of it up).
        #expect(await eventually { state(first, "ist-1") == .up && state(second, "ist-1") == .up })
        #expect(second.verdict("ist-1") == .down)
        #expect(second.director.status().regions.first { $0.name == "istanbul" }?.availability == "available")

        // Both see ist-2 go down: both take it out.
        try await world.gateways["ist-2"]!.setMode(.down)
        #expect(await eventually { state(first, "ist-2") == .down && state(second, "ist-2") == .down })
        #expect(await eventually {
            first.director.journal.latest(20).contains { $0.kind == "verdict" && $0.subject == "ist-2" && $0.message.hasPrefix("up → down") }
        })
        try await world.gateways["ist-2"]!.setMode(.healthy)
        #expect(await eventually { state(first, "ist-2") == .up && state(second, "ist-2") == .up })

        // Istanbul's director goes away: Ankara says it is isolated, and does not take Istanbul for
        // dead on its own view (where ist-1 is down) alone.
        await first.stop()
        #expect(await eventually { second.director.status().director.isolated })
        #expect(await eventually { second.director.status().peers.first?.state == "stale" })
        let status = second.director.status()
        #expect(await eventually { second.director.journal.latest(20).contains { $0.kind == "peer" && $0.subject == "istanbul" } })
        #expect(status.regions.first { $0.name == "istanbul" }?.availability == "available")
        await second.stop()
        await world.stop()
    }

    @Test func threeDirectorsDecideByMajority() async throws {
        let world = try await LiveWorld.start(withIzmir: true)
        let shared = try Self.withFreeAPIPorts(world.configuration)
        let istanbul = shared.regions.firstIndex { $0.name == "istanbul" }!
        // ist-1 is unreachable from Ankara's director only; ist-2 from Ankara's and Izmir's.
        func blocking(_ gateways: [Int]) throws -> Configuration {
            var configuration = shared
            for gateway in gateways { configuration.regions[istanbul].gateways[gateway].probe.targetPort = try Self.freePort() }
            return configuration
        }
        let first = try await RunningDirector.start(world, region: "istanbul", configuration: shared, peering: true)
        let second = try await RunningDirector.start(world, region: "ankara", configuration: try blocking([0, 1]), peering: true)
        let third = try await RunningDirector.start(world, region: "izmir", configuration: try blocking([1]), peering: true)
        let all = [first, second, third]
        #expect(await eventually {
            all.allSatisfy { $0.director.status().peers.count == 2 && $0.director.status().peers.allSatisfy { $0.state == "fresh" } }
        })
        #expect(await eventually { second.verdict("ist-1") == .down && second.verdict("ist-2") == .down && third.verdict("ist-2") == .down })
        // ist-1: one of three sees it down, it serves everywhere; ist-2: two of three, it is down
        // everywhere, Istanbul's own director (which reaches it) included.
        #expect(await eventually { all.allSatisfy { state($0, "ist-1") == .up && state($0, "ist-2") == .down } })
        #expect(await eventually { first.verdict("ist-2") == .up && all.allSatisfy { state($0, "ist-2") == .down } })
        for running in all { await running.stop() }
        await world.stop()
    }

    @Test func aStartingDirectorAnswersFromItsPeersViewBeforeItsOwnFirstProbe() async throws {
        let world = try await LiveWorld.start()
        let shared = try Self.withFreeAPIPorts(world.configuration)
        let ankara = try await RunningDirector.start(world, region: "ankara", configuration: shared, peering: true)
        for gateway in ["ist-1", "ist-2"] { try await world.gateways[GatewayName(gateway)!]!.setMode(.down) }
        #expect(await eventually { ankara.verdict("ist-1") == .down && ankara.verdict("ist-2") == .down })

        // Istanbul's director starts with no state folder and never probes (its scheduler does not
        // run): all it can know of Istanbul's gateways comes from Ankara's answer to its greeting.
        let istanbul = try Director(configuration: shared, region: "istanbul", source: nil, logger: .test, credentials: .insecureLoopback(for: "istanbul"))
        func answer() -> (region: RegionName?, isolated: Bool) {
            let snapshot = istanbul.answering.current.snapshot
            let client = IPAddress("10.34.1.1")!
            let decision = Steering.decide(shared.services[0], for: snapshot.locator.locate(client, vantage: snapshot.vantage),
                                           in: snapshot.assessment, selector: ClientLanes.selector(for: client))
            return (decision.chosenRegion, decision.isolated)
        }
        #expect(answer().region == "istanbul", "knowing nothing, it serves the nearest site")
        await PeerExchange(director: istanbul).greet()
        let greeted = Timestamp.now
        #expect(answer().region == "ankara" && !answer().isolated)
        // As of the greeting (on a loaded machine the next line may run after the peer's 600 ms window).
        #expect(istanbul.status(at: greeted).peers.first?.state == "fresh")
        await ankara.stop()
        await world.stop()
    }

    @Test func forgedAndReplayedReportsAreRefused() async throws {
        let world = try await LiveWorld.start()
        let configuration = try Self.withFreeAPIPorts(world.configuration)
        let running = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true)
        let url = "http://127.0.0.1:\(running.apiPort)/v1/peer/report"
        let now = Timestamp.now
        let report = PeerReport(from: "ankara", sentAt: now, fingerprint: "",
                                observations: [Observation(gateway: "ist-1", observer: "ankara", verdict: .down, at: now)])
        let body = try JSONEncoder().encode(report)

        func post(_ headers: [(String, String)], body: Data) async throws -> UInt {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(data: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            return response.status.code
        }
        let genuine = SignedPeerMessage.report(body, from: "ankara", to: "istanbul", at: now)
        #expect(try await post(genuine, body: body) == 204)
        #expect(running.director.peering?.reports["ankara"]?.report == report)
        #expect(try await post(genuine, body: body) == 401)  // the same message again
        let forged = SignedPeerMessage.report(body, from: "ankara", to: "istanbul", at: now + .milliseconds(5), key: .generate())
        #expect(try await post(forged, body: body) == 401)
        #expect(try await post([], body: body) == 401)
        // Signed, but dated an hour ahead: it would make the sender's next reports look older.
        let ahead = try JSONEncoder().encode(PeerReport(from: "ankara", sentAt: now + .seconds(3600), fingerprint: "", observations: []))
        #expect(try await post(SignedPeerMessage.report(ahead, from: "ankara", to: "istanbul", at: now + .milliseconds(10)), body: ahead) == 400)
        #expect(running.director.peering?.reports["ankara"]?.report == report)
        let counts = running.director.peering?.refusalCounts ?? [:]
        #expect(counts["replayed"] == 1 && counts["bad-signature"] == 1 && counts["unsigned"] == 1 && counts["bad-time"] == 1)
        let metrics = try PrometheusText.parse(String(decoding: try await running.get("/metrics").body, as: UTF8.self))
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            metrics.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
        }
        #expect(value("meridian_peer_reports_refused_total", ["reason": "replayed"]) == 1)
        #expect(value("meridian_peer_reports_refused_total", ["reason": "bad-signature"]) == 1)
        #expect(value("meridian_peer_reports_accepted_total", ["peer": "ankara"]) == 1)
        #expect(value("meridian_director_isolated", [:]) != nil)
        await running.stop()
        await world.stop()
    }

    @Test func anOverrideGivenToOneDirectorReachesAllAndExpiresEverywhere() async throws {
        let world = try await LiveWorld.start()
        let token = AdminToken("an admin token of some length")!
        let configuration = try Self.withFreeAPIPorts(world.configuration)
        let first = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true,
                                                    adminToken: token)
        let second = try await RunningDirector.start(world, region: "ankara", configuration: configuration, peering: true,
                                                     adminToken: token)
        func post(_ request: OverrideRequest, to running: RunningDirector, token: String?) async throws -> UInt {
            var http = HTTPClientRequest(url: "http://127.0.0.1:\(running.apiPort)/v1/overrides")
            http.method = .POST
            if let token { http.headers.add(name: "Authorization", value: "Bearer \(token)") }
            http.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(request)))
            return try await HTTPClient.shared.execute(http, timeout: .seconds(5)).status.code
        }
        func istanbul(_ running: RunningDirector) -> String? {
            running.director.status().regions.first { $0.name == "istanbul" }?.availability
        }
        #expect(await eventually { istanbul(first) == "available" && istanbul(second) == "available" })

        // A wrong or missing token is refused, and so is a request that names nothing real.
        #expect(try await post(OverrideRequest(region: "istanbul", action: "down"), to: first, token: "not the token at all") == 401)
        #expect(try await post(OverrideRequest(region: "istanbul", action: "down"), to: first, token: nil) == 401)
        #expect(try await post(OverrideRequest(region: "izmir", action: "down"), to: first, token: "an admin token of some length") == 400)
        #expect(istanbul(first) == "available")

        // Failed for two seconds on one director: failed on both, then back on both by itself.
        let drill = OverrideRequest(region: "istanbul", action: "down", reason: "drill", author: "test", for: "2s")
        #expect(try await post(drill, to: first, token: "an admin token of some length") == 200)
        #expect(istanbul(first) == "unavailable")
        #expect(await eventually { istanbul(second) == "unavailable" })
        #expect(second.director.status().overrides.first?.author == "test")
        #expect(second.director.journal.latest(20).contains {
            $0.kind == "override" && $0.subject == "region istanbul" && $0.message.hasSuffix("via istanbul's director")
        })
        #expect(await eventually(within: .seconds(5)) { istanbul(first) == "available" && istanbul(second) == "available" })

        // Drained on the second, cleared on the first: cleared on both.
        let drain = OverrideRequest(region: "istanbul", action: "drain", reason: "maintenance", author: "test")
        #expect(try await post(drain, to: second, token: "an admin token of some length") == 200)
        #expect(await eventually { istanbul(first) == "drained" })
        #expect(try await post(OverrideRequest(region: "istanbul", action: "clear", author: "test"), to: first,
                               token: "an admin token of some length") == 200)
        #expect(await eventually { istanbul(first) == "available" && istanbul(second) == "available" })
        await first.stop()
        await second.stop()
        await world.stop()
    }

    @Test func withoutATokenTheAdminAPIIsOff() async throws {
        let world = try await LiveWorld.start()
        let running = try await RunningDirector.start(world)
        var http = HTTPClientRequest(url: "http://127.0.0.1:\(running.apiPort)/v1/overrides")
        http.method = .POST
        http.headers.add(name: "Authorization", value: "Bearer anything-at-all-here")
        http.body = .bytes(ByteBuffer(string: #"{"region":"istanbul","action":"down"}"#))
        #expect(try await HTTPClient.shared.execute(http, timeout: .seconds(5)).status.code == 403)
        await running.stop()
        await world.stop()
    }
}
