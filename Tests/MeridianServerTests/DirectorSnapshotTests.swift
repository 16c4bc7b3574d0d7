import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// The views (status, metrics, explain) read the snapshot the listeners answer from, and never lag
/// what the health board shows; the overrides and the warm-up are kept by values of their own.
struct DirectorSnapshotTests {
    /// Records failures for `gateway` straight into the board, as a probe would, but with no
    /// scheduler to refresh the snapshot afterwards.
    private func failUntilDown(_ gateway: GatewayName, on director: Director) {
        var at = Timestamp.now
        while director.board.health[gateway]?.verdict != .down {
            _ = director.board.record(ProbeOutcome(at: at, succeeded: false, latency: .milliseconds(1), error: "refused"),
                                      for: gateway)
            at = at + .milliseconds(1)
        }
    }

    @Test func theStatusShowsAVerdictTheBoardShowsWithoutWaitingForARefresh() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let director = try Director(configuration: world.configuration, region: "istanbul", source: nil, logger: .test)
        let gateway = try #require(world.configuration.region("istanbul")?.gateways.first?.name)
        failUntilDown(gateway, on: director)
        let installed = director.assessment().sites.flatMap(\.gateways).first { $0.gateway.name == gateway }?.state
        #expect(installed != .down, "nothing refreshed the installed snapshot yet")
        let status = director.status()
        #expect(status.regions.flatMap(\.gateways).first { $0.name == gateway.rawValue }?.state == "down")
        #expect(director.assessment().sites.flatMap(\.gateways).first { $0.gateway.name == gateway }?.state == .down,
                "the status installed what it showed: the listeners answer from it")
        await world.stop()
    }

    @Test func explainGivesTheAnswerOfTheInstalledGrid() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let director = try Director(configuration: world.configuration, region: "istanbul", source: nil, logger: .test)
        let service = world.configuration.services[0]
        let client = IPAddress("10.34.1.1")!
        let report = director.explain(client: client, service: service)
        let snapshot = director.answering.current.snapshot
        let cell = snapshot.grid.decision(service: 0, bucket: snapshot.grid.places.bucket(for: client).bucket,
                                          lane: ClientLanes.lane(for: client), family: .v4)
        #expect(report.region == cell.chosenRegion?.rawValue && report.redirectURL == cell.redirectURL?.text)
        #expect(director.metricsText().contains("meridian_decisions_total{"))
        await world.stop()
    }

    @Test func theWarmUpStandsInOnlyForGatewaysNotYetProbedAndOnlyWhileItLasts() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let configuration = world.configuration
        let gateways = configuration.gateways.map(\.name)
        let start = Timestamp.now
        let restored = gateways.map { Observation(gateway: $0, observer: "istanbul", verdict: .down, at: start - .seconds(60)) }
        let warmUp = WarmUp(restored: restored, startedAt: start)
        let own = [Observation(gateway: gateways[0], observer: "istanbul", verdict: .up, at: start)]
        let standing = warmUp.observations(own: own, configuration: configuration, at: start + .milliseconds(10))
        #expect(standing.map(\.gateway) == Array(gateways.dropFirst()))
        #expect(standing.allSatisfy { $0.at == start + .milliseconds(10) }, "as if made now")
        #expect(warmUp.observations(own: [], configuration: configuration, at: start + .seconds(3_600)).isEmpty)
        await world.stop()
    }

    @Test func theOverrideKeeperJournalsAndKeepsOnlyNewerWrites() async throws {
        let journal = EventJournal(directory: nil)
        let keeper = OverrideKeeper(restored: [], state: nil, journal: journal, logger: .test)
        let now = Timestamp.now
        let drain = Override(target: .gateway("ist-1"), action: .drain, reason: "patching", author: "ops", setAt: now)
        #expect(keeper.apply(OverrideTable.Write(drain)) == nil)
        let older = Override(target: .gateway("ist-1"), action: .down, reason: "old", author: "ops", setAt: now - .seconds(1))
        #expect(keeper.apply(OverrideTable.Write(older))?.override == drain, "the newer write holds")
        #expect(!keeper.take([OverrideTable.Write(older)], from: "ankara"))
        let clear = OverrideTable.Write.clear(.gateway("ist-1"), reason: "done", author: "ops", at: now + .seconds(1))
        #expect(keeper.take([clear], from: "ankara"))
        #expect(keeper.inForce(at: now + .seconds(2)).isEmpty)
        let messages = journal.latest(10).filter { $0.kind == "override" }.map(\.message)
        #expect(messages.contains("drain by ops: patching") && messages.contains("cleared by ops, via ankara's director"))
        #expect(messages.count == 2)
    }
}
