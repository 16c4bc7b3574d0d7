import Foundation
import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// Reloading: a valid configuration replaces the running one without losing the health of unchanged
/// gateways; an invalid one is refused and the running one stays.
@Suite(.serialized)
struct ReloadTests {
    @Test func aValidReloadKeepsTheHealthOfUnchangedGateways() async throws {
        let world = try await LiveWorld.start()
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        let before = try #require(running.director.board.health["ist-1"])

        var next = world.configuration
        next.fingerprint = "test:2"
        let ankara = next.regions.firstIndex { $0.name == "ankara" }!
        next.regions[ankara].gateways[1].probe.path = "/other"   // ank-2 changes; everything else stays
        guard case .reloaded = running.director.adopt(next) else {
            Issue.record("not reloaded")
            return
        }
        let kept = try #require(running.director.board.health["ist-1"])
        #expect(kept.verdict == .up && kept.since == before.since)
        #expect(kept.consecutiveSuccesses >= before.consecutiveSuccesses)
        // The changed gateway now probes /other, which the stand-in answers with 200 as well.
        #expect(await eventually { running.verdict("ank-2") == .up })
        #expect(try await running.status().director.configuration.fingerprint == "test:2")
        await running.stop()
        await world.stop()
    }

    @Test func anInvalidReloadIsRefusedAndTheRunningConfigurationStays() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "zone: [broken".write(to: folder.appendingPathComponent("global.yaml"), atomically: true, encoding: .utf8)

        let world = try await LiveWorld.start(perRegion: 1)
        let running = try await RunningDirector.start(world, source: folder.path)
        guard case .refused(let reason) = running.director.reload() else {
            Issue.record("an invalid configuration was not refused")
            return
        }
        #expect(reason.contains("global.yaml"))
        let status = try await running.status()
        #expect(status.director.configuration.lastReloadError?.contains("YAML syntax") == true)
        #expect(status.regions.count == 2)
        #expect(running.director.adopt(world.configuration.renamingRegions()).isRefusal)
        await running.stop()
        await world.stop()
    }

    @Test func aReloadThatDropsThisDirectorIsRefusedAndOneThatAddsARegionMateIsAdopted() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        var fleet = world.configuration
        let istanbul = try #require(fleet.regions.firstIndex { $0.name == "istanbul" })
        fleet.regions[istanbul].directors.append(DirectorEndpoints(name: "ist-b", dns: SocketAddress("127.0.0.1:1053")!,
                                                                   redirect: SocketAddress("127.0.0.1:1080")!,
                                                                   api: SocketAddress("127.0.0.1:1090")!))
        fleet.fingerprint = "test:fleet"
        let director = try Director(configuration: world.configuration, region: "istanbul", source: nil, logger: .test)
        #expect(director.adopt(fleet) == .reloaded(fingerprint: "test:fleet"))
        #expect(director.peerStatus(director.configuration, now: .now).map(\.director).sorted() == ["ankara", "ist-b"])

        var without = fleet
        without.regions[istanbul].directors.removeFirst()
        without.fingerprint = "test:without"
        guard case .refused(let reason) = director.adopt(without) else {
            Issue.record("a configuration without this director was adopted")
            await world.stop()
            return
        }
        #expect(reason == "the new configuration has no director 'istanbul' in region istanbul", "\(reason)")
        #expect(throws: Director.StartError.self) {
            try Director(configuration: fleet, region: "istanbul", source: nil, logger: .test)
        }
        let named = try Director(configuration: fleet, region: "istanbul", director: "ist-b", source: nil, logger: .test)
        #expect(named.name == "ist-b" && named.region == "istanbul")
        await world.stop()
    }
}

extension Configuration {
    /// A copy in which the director's region no longer exists.
    fileprivate func renamingRegions() -> Configuration {
        var copy = self
        copy.regions = copy.regions.filter { $0.name != "istanbul" }
        copy.fingerprint = "test:renamed"
        return copy
    }
}

extension Director.ReloadResult {
    fileprivate var isRefusal: Bool {
        if case .refused = self { return true }
        return false
    }
}
