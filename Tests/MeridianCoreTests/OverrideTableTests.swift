import Foundation
import Testing
@testable import MeridianCore

@Suite("Replicated override table")
struct OverrideTableTests {
    let t0 = Timestamp(secondsSinceEpoch: 1_800_000_000)

    func set(_ action: Override.Action, at offset: Int, by author: String = "ops", for duration: Duration? = nil) -> OverrideTable.Write {
        let at = t0 + .seconds(offset)
        return OverrideTable.Write(Override(target: .region("istanbul"), action: action, reason: "r", author: author, setAt: at,
                                            expiresAt: duration.map { at + $0 }))
    }

    @Test("the newest write wins, whatever order writes arrive in")
    func lastWriterWins() {
        let writes = [set(.down, at: 1), set(.drain, at: 3), OverrideTable.Write.clear(.region("istanbul"), reason: "r", author: "ops",
                                                                                       at: t0 + .seconds(2))]
        var forward = OverrideTable()
        forward.merge(writes)
        var backward = OverrideTable()
        backward.merge(writes.reversed())
        #expect(forward == backward)
        #expect(forward.inForce(at: t0 + .seconds(4)).map(\.action) == [.drain])
        // Ties in time are broken by author, the same way everywhere.
        var tie = OverrideTable([set(.down, at: 5, by: "alice"), set(.up, at: 5, by: "bob")])
        #expect(tie.inForce(at: t0 + .seconds(6)).map(\.action) == [.up])
        let reapplied = tie.apply(set(.down, at: 5, by: "alice"))
        #expect(!reapplied)
    }

    @Test("a clear replicates and keeps older writes from coming back")
    func clears() {
        var table = OverrideTable([set(.down, at: 1)])
        let cleared = table.apply(.clear(.region("istanbul"), reason: "done", author: "ops", at: t0 + .seconds(2)))
        #expect(cleared)
        #expect(table.inForce(at: t0 + .seconds(3)).isEmpty)
        let late = table.apply(set(.down, at: 1))  // the old write, arriving late from a peer
        #expect(!late)
        #expect(table.inForce(at: t0 + .seconds(3)).isEmpty)
        #expect(table.all.count == 1 && table.all[0].cleared)
    }

    @Test("overrides expire at the same absolute time everywhere, and are pruned")
    func expiry() {
        var table = OverrideTable([set(.down, at: 0, for: .seconds(60))])
        #expect(table.inForce(at: t0 + .seconds(59)).count == 1)
        #expect(table.inForce(at: t0 + .seconds(60)).isEmpty)
        table.prune(at: t0 + .seconds(60))
        #expect(table.all.isEmpty)
    }
}

@Suite("Drain grace period")
struct DrainGraceTests {
    let t0 = Timestamp(secondsSinceEpoch: 1_800_000_000)

    @Test("a drain holds as a drain for its grace period, then counts as down")
    func grace() {
        let drain = Override(target: .region("istanbul"), action: .drain, reason: "maintenance", author: "ops", setAt: t0)
        let during = OverrideSet([drain], at: t0 + .seconds(299), drainGrace: .seconds(300))
        #expect(during.override(for: .region("istanbul"))?.action == .drain)
        let after = OverrideSet([drain], at: t0 + .seconds(300), drainGrace: .seconds(300))
        #expect(after.override(for: .region("istanbul"))?.action == .down)
        #expect(after.override(for: .region("istanbul"))?.reason.contains("grace period is over") == true)
        #expect(OverrideSet([drain], at: t0 + .seconds(86_400), drainGrace: nil).override(for: .region("istanbul"))?.action == .drain)
    }

    @Test("the configuration's drain-grace is read, 5m by default")
    func configured() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("regions").path
        #expect(try ConfigurationLoader.load(directory: folder).drainGrace == .seconds(300))
        var files = try ConfigurationLoader.readFolder(folder)
        let global = files.firstIndex { $0.name.hasSuffix("global.yaml") }!
        files[global].text += "\ndrain-grace: 30s\n"
        #expect(try ConfigurationLoader.load(files: files).drainGrace == .seconds(30))
    }
}
