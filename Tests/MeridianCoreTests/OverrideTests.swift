import Testing
@testable import MeridianCore

struct OverrideTests {
    private func override(_ action: Override.Action, at offset: Int, by author: String = "ops",
                          expiresIn: Int? = nil) -> Override {
        Override(target: .region("istanbul"), action: action, reason: "drill", author: author,
                 setAt: TestWorld.now + .seconds(offset), expiresAt: expiresIn.map { TestWorld.now + .seconds(offset + $0) })
    }

    @Test func theLastWriterWins() {
        let set = OverrideSet([override(.down, at: 0), override(.up, at: 5), override(.drain, at: 3)],
                              at: TestWorld.now + .seconds(10))
        #expect(set.override(for: .region("istanbul"))?.action == .up)
    }

    @Test func aTieOnTimeIsBrokenByAuthorTheSameWayEverywhere() {
        let a = override(.down, at: 0, by: "alice"), b = override(.drain, at: 0, by: "bob")
        #expect(OverrideSet([a, b], at: TestWorld.now).override(for: .region("istanbul"))?.action == .drain)
        #expect(OverrideSet([b, a], at: TestWorld.now).override(for: .region("istanbul"))?.action == .drain)
    }

    @Test func anOverrideExpiresAtItsAbsoluteTime() {
        let drill = override(.down, at: 0, expiresIn: 600)
        #expect(drill.isInForce(at: TestWorld.now + .seconds(599)))
        #expect(!drill.isInForce(at: TestWorld.now + .seconds(600)))
        #expect(OverrideSet([drill], at: TestWorld.now + .seconds(600)).override(for: .region("istanbul")) == nil)
        #expect(override(.down, at: 0).isInForce(at: TestWorld.now + .seconds(1_000_000)))
    }

    @Test func theSetSaysWhenItChangesByItself() {
        let now = TestWorld.now + .seconds(10)
        let expiring = Override(target: .region("istanbul"), action: .down, reason: "drill", author: "ops",
                                setAt: TestWorld.now, expiresAt: TestWorld.now + .seconds(120))
        let draining = Override(target: .region("ankara"), action: .drain, reason: "move", author: "ops", setAt: TestWorld.now)
        #expect(OverrideSet([expiring], at: now).nextChange == TestWorld.now + .seconds(120))
        // The drain turns into down after its grace period, before the other override expires.
        #expect(OverrideSet([expiring, draining], at: now, drainGrace: .seconds(60)).nextChange == TestWorld.now + .seconds(60))
        // Once the grace period is over, only the expiry is left.
        #expect(OverrideSet([expiring, draining], at: TestWorld.now + .seconds(61), drainGrace: .seconds(60)).nextChange
                == TestWorld.now + .seconds(120))
        #expect(OverrideSet([override(.down, at: 0)], at: now).nextChange == nil)
    }

    @Test func anExpiredNewerOverrideDoesNotResurrectAnOlderOne() {
        let older = override(.down, at: 0)
        let newer = override(.up, at: 10, expiresIn: 5)
        #expect(OverrideSet([older, newer], at: TestWorld.now + .seconds(20)).all.isEmpty)
    }
}
