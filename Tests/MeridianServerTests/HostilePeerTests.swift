import AsyncHTTPClient
import Foundation
import MeridianCore
import MeridianTesting
import NIOCore
import Testing
@testable import MeridianServer

/// Signed reports that break the rules, sent to a real director's API on loopback: each is refused
/// with a 400 that names the rule, counted, and leaves nothing behind.
@Suite(.serialized)
struct HostilePeerTests {
    /// A POST of `body` to `path` with `headers`: the status and the body of the answer.
    static func post(_ body: Data, headers: [(String, String)], port: Int, path: String = "/v1/peer/report")
        async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let answer = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: answer))
    }

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("meridian-hostile-\(UUID().uuidString)").path
    }

    @Test func hostileReportsAreRefusedWithTheirReasonAndNothingIsKept() async throws {
        let world = try await LiveWorld.start()
        let configuration = try PeeringTests.withFreeAPIPorts(world.configuration)
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let running = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true,
                                                      state: try StateStore(directory: folder))
        var clock = Timestamp.now
        func observation(_ gateway: GatewayName = "ist-1", by observer: DirectorName = "ankara", latency: Duration? = nil,
                         failures: Int = 0, at: Timestamp? = nil) -> Observation {
            Observation(gateway: gateway, observer: observer, verdict: .down, latency: latency, consecutiveFailures: failures,
                        at: at ?? clock)
        }
        func write(reason: String = "drill", setAt: Timestamp? = nil) -> OverrideTable.Write {
            OverrideTable.Write(Override(target: .region("istanbul"), action: .down, reason: reason, author: "mallory",
                                         setAt: setAt ?? clock))
        }
        /// Sends a report signed with Ankara's genuine credentials (each a little later than the last).
        func send(_ observations: [Observation], overrides: [OverrideTable.Write] = []) async throws -> (status: UInt, body: String) {
            clock = clock + .milliseconds(1)
            let body = try JSONEncoder().encode(PeerReport(from: "ankara", sentAt: clock, fingerprint: "", observations: observations,
                                                           overrides: overrides))
            return try await Self.post(body, headers: SignedPeerMessage.report(body, from: "ankara", to: "istanbul", at: clock),
                                       port: running.apiPort)
        }
        let latest = Timestamp(nanosecondsSinceEpoch: .max), earliest = Timestamp(nanosecondsSinceEpoch: .min)
        let cases: [(reason: String, observations: [Observation], overrides: [OverrideTable.Write])] = [
            ("foreign-observer", [observation(by: "istanbul")], []),
            ("unknown-gateway", [observation("nowhere-1")], []),
            ("bad-time", [observation(at: latest)], []),
            ("bad-time", [observation(at: earliest)], []),
            ("bad-latency", [observation(latency: .nanoseconds(Int64.max))], []),
            ("bad-latency", [observation(latency: .nanoseconds(-5))], []),
            ("bad-count", [observation(failures: -1)], []),
            ("too-large", [observation()], (0..<100_000).map { write(setAt: clock - .nanoseconds($0)) }),
            ("too-large", [observation()], [write(reason: String(repeating: "x", count: 1 << 20))]),
            ("bad-override", [observation()], [write(reason: String(repeating: "x", count: 2000))]),
            ("bad-time", [observation()], [write(setAt: clock + .seconds(3600))]),
        ]
        for hostile in cases {
            let answer = try await send(hostile.observations, overrides: hostile.overrides)
            #expect(answer.status == 400, "\(hostile.reason): \(answer.body)")
            #expect(answer.body.contains(hostile.reason), "\(answer.body)")
        }
        // Signed times no clock can hold: refused before the body is read, without trapping.
        for timestamp in ["9223372036854775807", "-9223372036854775808", "99999999999999999999999", "+1"] {
            var headers = SignedPeerMessage.report(Data(), from: "ankara", to: "istanbul", at: .now)
            headers[1].1 = timestamp
            #expect(try await Self.post(Data(), headers: headers, port: running.apiPort).status == 401)
        }
        // Nothing of any of them was used or saved.
        #expect(running.director.peering?.reports["ankara"] == nil)
        #expect(running.director.overrides().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder + "/" + StateStore.overridesFile))
        let counts = running.director.peering?.refusalCounts ?? [:]
        #expect(counts["bad-time"] == 3 && counts["too-large"] == 2 && counts["foreign-observer"] == 1 && counts["bad-latency"] == 2)
        let metrics = try PrometheusText.parse(String(decoding: try await running.get("/metrics").body, as: UTF8.self))
        #expect(metrics.first { $0.name == "meridian_peer_reports_refused_total" && $0.labels["reason"] == "unknown-gateway" }?.value == 1)

        // A sound report is still taken.
        #expect(try await send([observation()]).status == 204)
        #expect(running.director.peering?.reports["ankara"] != nil)
        await running.stop()

        // The director starts again from its state folder, and answers.
        let again = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true,
                                                    state: try StateStore(directory: folder))
        #expect(again.director.overrides().isEmpty)
        #expect(try await again.get("/livez").status == 200)
        await again.stop()
        await world.stop()
    }

    @Test func aCapturedReportReplayedAfterTheReceiverRestartsIsRefused() async throws {
        let world = try await LiveWorld.start()
        let configuration = try PeeringTests.withFreeAPIPorts(world.configuration)
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let now = Timestamp.now
        let body = try JSONEncoder().encode(PeerReport(from: "ankara", sentAt: now, fingerprint: "",
                                                       observations: [Observation(gateway: "ist-1", observer: "ankara", verdict: .up, at: now)]))
        let captured = SignedPeerMessage.report(body, from: "ankara", to: "istanbul", at: now)
        let first = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true,
                                                    state: try StateStore(directory: folder))
        #expect(try await Self.post(body, headers: captured, port: first.apiPort).status == 204)
        await first.stop()
        let again = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true,
                                                    state: try StateStore(directory: folder))
        let replayed = try await Self.post(body, headers: captured, port: again.apiPort)
        #expect(replayed.status == 401 && replayed.body.contains("replayed"), "\(replayed.body)")
        #expect(again.director.peering?.reports["ankara"] == nil)
        await again.stop()
        await world.stop()
    }

    @Test func anOperatorsWriteThatLosesToANewerOneIsAConflict() async throws {
        let world = try await LiveWorld.start()
        let token = AdminToken("an admin token of some length")!
        let configuration = try PeeringTests.withFreeAPIPorts(world.configuration)
        let running = try await RunningDirector.start(world, region: "istanbul", configuration: configuration, peering: true,
                                                      adminToken: token)
        // Ankara's director, whose clock is 10 s ahead, has just drained Istanbul.
        let now = Timestamp.now
        let drain = OverrideTable.Write(Override(target: .region("istanbul"), action: .drain, reason: "maintenance", author: "ankara-ops",
                                                 setAt: now + .seconds(10)))
        let body = try JSONEncoder().encode(PeerReport(from: "ankara", sentAt: now, fingerprint: "", observations: [], overrides: [drain]))
        #expect(try await Self.post(body, headers: SignedPeerMessage.report(body, from: "ankara", to: "istanbul", at: now),
                                    port: running.apiPort).status == 204)
        let down = try JSONEncoder().encode(OverrideRequest(region: "istanbul", action: "down", reason: "drill", author: "ops"))
        let answer = try await Self.post(down, headers: [("Authorization", "Bearer an admin token of some length")], port: running.apiPort,
                                         path: "/v1/overrides")
        #expect(answer.status == 409)
        let lost = try JSONDecoder().decode(LostWriteAnswer.self, from: Data(answer.body.utf8))
        #expect(lost.winner.author == "ankara-ops" && lost.winner.action == "drain" && lost.error.contains("region istanbul"))
        #expect(running.director.overrides().map(\.action) == [.drain])
        await running.stop()
        await world.stop()
    }

    struct LostWriteAnswer: Decodable {
        var error: String
        var winner: StatusDocument.OverrideStatus
    }
}
