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
