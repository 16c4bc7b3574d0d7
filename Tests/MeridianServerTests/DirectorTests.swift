import Foundation
import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// A director probing real stand-in gateways on loopback, watched through its real API.
@Suite(.serialized)
struct DirectorTests {
    /// The configured bound for declaring a gateway down: interval × fall + timeout, plus scheduling slack.
    private func bound(_ world: LiveWorld) -> Duration {
        let probe = world.configuration.gateways[0].probe
        return probe.worstCaseDetection + .milliseconds(1500)
    }

    @Test func gatewaysAreSeenHealthyAndTheDashboardSaysSo() async throws {
        let world = try await LiveWorld.start()
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        let status = try await running.status()
        #expect(status.director.region == "istanbul" && !status.director.warmingUp && !status.director.isolated)
        #expect(status.regions.map(\.availability) == ["available", "available"])
        let gateway = try #require(running.gateway("ist-1", in: status))
        #expect(gateway.state == "up" && gateway.lastProbe?.ok == true && gateway.latencyMs != nil)
        #expect(gateway.probe.hasPrefix("http://127.0.0.1:") && gateway.probe.hasSuffix("/health"))
        #expect(status.services[0].steering.first?.region == "istanbul")
        await running.stop()
        await world.stop()
    }

    @Test(arguments: [StandInMode.down, .error, .hang])
    func aFailingGatewayIsMarkedDownWithinItsBoundAndTheRegionFollows(_ mode: StandInMode) async throws {
        let world = try await LiveWorld.start()
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })

        try await world.gateways["ist-1"]!.setMode(mode)
        let started = ContinuousClock.now
        #expect(await eventually(within: bound(world)) { running.verdict("ist-1") == .down })
        let detection = ContinuousClock.now - started
        var status = try await running.status()
        #expect(running.gateway("ist-1", in: status)?.state == "down")
        #expect(running.gateway("ist-1", in: status)?.lastProbe?.ok == false)
        // One of two gateways down is 50%: still at min-healthy.
        #expect(running.region("istanbul", in: status)?.availability == "available")

        try await world.gateways["ist-2"]!.setMode(mode)
        #expect(await eventually(within: bound(world)) { running.verdict("ist-2") == .down })
        status = try await running.status()
        #expect(running.region("istanbul", in: status)?.availability == "unavailable")
        #expect(status.services[0].steering.first { $0.network == "istanbul-metro" }?.region == "ankara")
        if mode == .down { #expect(detection < .milliseconds(1500)) }

        // Back to healthy: up again after `rise` successes in a row.
        for name in ["ist-1", "ist-2"] { try await world.gateways[GatewayName(name)!]!.setMode(.healthy) }
        #expect(await eventually(within: .seconds(3)) { running.verdict("ist-1") == .up && running.verdict("ist-2") == .up })
        let recovered = try #require(running.director.board.health["ist-1"])
        #expect(recovered.consecutiveSuccesses >= recovered.rise)
        status = try await running.status()
        #expect(running.region("istanbul", in: status)?.availability == "available")
        await running.stop()
        await world.stop()
    }

    @Test func metricsParseAsPrometheusTextWithTheNamedFamilies() async throws {
        let world = try await LiveWorld.start()
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        _ = try await running.status()  // makes decisions, so the decision counters exist
        let (code, body, type) = try await running.get("/metrics")
        #expect(code == 200 && type?.hasPrefix("text/plain; version=0.0.4") == true)
        let samples = try PrometheusText.parse(String(decoding: body, as: UTF8.self))
        let families = Set(samples.map(\.name))
        for family in ["meridian_probes_total", "meridian_probe_duration_seconds_bucket", "meridian_probe_duration_seconds_count",
                       "meridian_gateway_up", "meridian_region_available", "meridian_region_score", "meridian_decisions_total"] {
            #expect(families.contains(family), "missing \(family)")
        }
        #expect(samples.contains { $0.name == "meridian_gateway_up" && $0.labels["gateway"] == "ist-1" && $0.value == 1 })
        #expect(samples.contains { $0.name == "meridian_probes_total" && $0.labels["result"] == "success" && $0.value >= 1 })
        #expect(samples.contains { $0.name == "meridian_region_available" && $0.labels["region"] == "ankara" && $0.value == 1 })
        await running.stop()
        await world.stop()
    }

    @Test func healthzAndTheDashboardPageAreServed() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let running = try await RunningDirector.start(world)
        let live = try await running.get("/livez")
        #expect(live.status == 200 && String(decoding: live.body, as: UTF8.self) == "ok\n")
        #expect(await eventually { (try? await running.get("/healthz"))?.status == 200 })
        let health = try await running.get("/healthz")
        #expect(String(decoding: health.body, as: UTF8.self) == "ok\n")
        let page = try await running.get("/")
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(page.contentType?.hasPrefix("text/html") == true)
        #expect(html.contains("fetch(\"v1/status\"") && !html.contains("http://") && !html.contains("https://"))
        await running.stop()
        await world.stop()
    }

    @Test func healthzSaysNotReadyUntilEveryGatewayHasAFreshVerdict() async throws {
        // Probed every 30 s and up only after two successes: for the first 30 s no verdict is known.
        let world = try await LiveWorld.start(perRegion: 1, interval: .seconds(30), timeout: .seconds(1))
        let running = try await RunningDirector.start(world)
        let health = try await running.get("/healthz")
        let body = String(decoding: health.body, as: UTF8.self)
        #expect(health.status == 503 && body.hasPrefix("not ready: "), "\(health.status) \(body)")
        #expect(try await running.get("/livez").status == 200, "alive all the same")
        let status = try await running.get("/v1/status")
        let document = try JSONDecoder().decode(StatusDocument.self, from: Data(status.body))
        // The reason may have moved from "warming up" to "no fresh observation" in between.
        #expect(!document.director.ready && ["warming up", "no fresh observation"].contains { document.director.readiness.hasPrefix($0) })
        await running.stop()
        await world.stop()
    }

    @Test func aDirectorKnowsWhenItsAnswersChangeByThemselves() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let director = try Director(configuration: world.configuration, region: "istanbul", source: nil, logger: .test)
        #expect(director.nextSnapshotChange == nil, "nothing observed, nothing in force")
        let now = Timestamp.now
        let drill = Override(target: .region("istanbul"), action: .down, reason: "drill", author: "ops", setAt: now,
                             expiresAt: now + .seconds(120))
        director.apply(OverrideTable.Write(drill), at: now)
        // The override's expiry: the refresher rebuilds the answers at that moment, not up to a second later.
        #expect(director.nextSnapshotChange == now + .seconds(120))
        await world.stop()
    }

    @Test func anUnknownRegionIsRefused() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        #expect(throws: Director.StartError.self) {
            try Director(configuration: world.configuration, region: "izmir", source: nil, logger: .test)
        }
        await world.stop()
    }
}
