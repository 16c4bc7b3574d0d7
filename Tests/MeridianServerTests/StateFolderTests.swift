#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// The state folder: what a director finds there at start, and what it leaves there.
@Suite(.serialized)
struct StateFolderTests {
    private func makeFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-state-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    private func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test func aPoisonedStateFolderStartsWithItsFilesMovedAsideJournaledAndReported() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A truncated overrides file, and observations made at the end of time.
        try "[{\"override\":{\"target\":".write(toFile: folder + "/overrides.json", atomically: true, encoding: .utf8)
        let absurd = Observation(gateway: "ist-1", observer: "istanbul", verdict: .up, at: Timestamp(nanosecondsSinceEpoch: .max))
        try JSONEncoder().encode([absurd]).write(to: URL(fileURLWithPath: folder + "/observations.json"))

        let director = try Director(configuration: world.configuration, region: "istanbul", source: nil, logger: .test,
                                    state: try StateStore(directory: folder))
        let names = files(in: folder)
        #expect(!names.contains("overrides.json") && !names.contains("observations.json"))
        #expect(names.contains { $0.hasPrefix("overrides.json.corrupt-") }, "\(names)")
        #expect(names.contains { $0.hasPrefix("observations.json.corrupt-") }, "\(names)")
        let problems = director.status().director.stateProblems
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("observations.json") && $0.contains("impossible time") && $0.contains("moved aside") })
        #expect(director.journal.latest(10).filter { $0.kind == "state" }.count == 2)
        #expect(director.board.observations(by: "istanbul").isEmpty)

        // The director writes its own files again, and the next start finds the folder sound.
        director.apply(.clear(.gateway("ist-1"), reason: "test", author: "ops", at: .now))
        director.journal.flush()
        let restarted = try Director(configuration: world.configuration, region: "istanbul", source: nil, logger: .test,
                                     state: try StateStore(directory: folder))
        #expect(restarted.status().director.stateProblems.isEmpty)
        #expect(files(in: folder).filter { $0.contains(".corrupt-") }.count == 2, "nothing more moved aside")
        await world.stop()
    }

    @Test func timesAStateFileCannotHoldAreNamed() {
        let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
        let early = OverrideTable.Write(Override(target: .region("istanbul"), action: .down, reason: "", author: "ops",
                                                 setAt: Timestamp(nanosecondsSinceEpoch: -1)))
        #expect(StatePlausibility.problem(with: [early], at: now)?.contains("impossible time") == true)
        let ahead = OverrideTable.Write(Override(target: .region("istanbul"), action: .down, reason: "", author: "ops",
                                                 setAt: now + .seconds(2 * 86_400)))
        #expect(StatePlausibility.problem(with: [ahead], at: now) != nil)
        let endless = OverrideTable.Write(Override(target: .region("istanbul"), action: .down, reason: "", author: "ops",
                                                   setAt: now, expiresAt: Timestamp(nanosecondsSinceEpoch: .max)))
        #expect(StatePlausibility.problem(with: [endless], at: now)?.contains("expires") == true)
        let sound = OverrideTable.Write(Override(target: .region("istanbul"), action: .down, reason: "", author: "ops",
                                                 setAt: now, expiresAt: now + .seconds(3_600)))
        #expect(StatePlausibility.problem(with: [sound], at: now) == nil)
        let slow = Observation(gateway: "ist-1", observer: "istanbul", verdict: .up, latency: .seconds(-1), at: now)
        #expect(StatePlausibility.problem(with: [slow], at: now)?.contains("latency") == true)
    }

    /// The journal's file is a FIFO with no reader: opening it to write blocks until one comes. A
    /// `record` that wrote on the caller's thread (a probe's event loop) would block there.
    @Test(.timeLimit(.minutes(1)))
    func theJournalIsWrittenOffTheRecordingThread() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = EventJournal(directory: folder)
        try #require(mkfifo(folder + "/events.jsonl", 0o600) == 0)
        journal.record(.verdict, "ist-1", "up → down")
        #expect(journal.latest(1).first?.subject == "ist-1", "recorded in memory at once")
        // Now a reader comes, and the line the writer was waiting to write arrives.
        let reader = open(folder + "/events.jsonl", O_RDONLY)
        try #require(reader >= 0)
        defer { close(reader) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
        #expect(count > 0 && String(decoding: buffer[..<max(count, 0)], as: UTF8.self).contains("\"subject\":\"ist-1\""))
        journal.flush()
    }

    @Test func overrideWritesMadeAtOnceLeaveTheNewestTableOnDisk() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try StateStore(directory: folder)
        let director = try Director(configuration: world.configuration, region: "istanbul", source: nil, logger: .test, state: store)
        let start = Timestamp.now
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<25 {
                        let target: Override.Target = writer % 2 == 0 ? .region("istanbul") : .gateway("ist-1")
                        let at = start + .milliseconds(Int64(index * 8 + writer))
                        director.apply(OverrideTable.Write(Override(target: target, action: .drain, reason: "\(writer)-\(index)",
                                                                    author: "ops", setAt: at, expiresAt: at + .seconds(600))))
                    }
                }
            }
        }
        let saved = store.load().contents.overrides
        #expect(saved == director.overrideTable.withLockedValue { $0.all })
        #expect(saved.map(\.override.reason).sorted() == ["6-24", "7-24"])
        await world.stop()
    }

    @Test func anOverrideOnAGatewayRemovedByAReloadIsClearedAndJournaled() async throws {
        let world = try await LiveWorld.start()
        let running = try await RunningDirector.start(world)
        let director = running.director
        director.apply(OverrideTable.Write(Override(target: .gateway("ist-2"), action: .down, reason: "broken", author: "ops",
                                                    setAt: .now)))
        director.apply(OverrideTable.Write(Override(target: .gateway("ist-1"), action: .drain, reason: "patching", author: "ops",
                                                    setAt: .now)))
        var next = world.configuration
        next.fingerprint = "test:2"
        let istanbul = next.regions.firstIndex { $0.name == "istanbul" }!
        next.regions[istanbul].gateways.removeAll { $0.name == "ist-2" }
        guard case .reloaded = director.adopt(next) else {
            Issue.record("not reloaded")
            return
        }
        #expect(director.overrides().map(\.target) == [.gateway("ist-1")], "the override on a kept gateway stays")
        let write = director.overrideTable.withLockedValue { $0.all }.first { $0.override.target == .gateway("ist-2") }
        #expect(write?.cleared == true && write?.override.author == Director.reloadAuthor, "the clear replicates to peers")
        #expect(director.journal.latest(5).contains { $0.kind == "override" && $0.subject == "gateway ist-2" && $0.message.hasPrefix("cleared") })
        await running.stop()
        await world.stop()
    }
}
