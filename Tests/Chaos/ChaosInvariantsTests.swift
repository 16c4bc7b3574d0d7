import Testing

/// The chaos test's invariants catch what they are for (checked on made-up answers, no network).
@Suite("Chaos invariants")
struct ChaosInvariantsTests {
    func answer(_ t: Double, _ director: String, _ kind: String, ok: Bool = true, addresses: [String]? = nil,
                host: String? = nil) -> ChaosAnswer {
        ChaosAnswer(t: t, director: director, kind: kind, client: "", ok: ok, addresses: addresses, host: host)
    }

    @Test("a live director that stops answering is caught; an absent one is excused")
    func liveDirectorsAnswer() {
        var timeline = ChaosTimeline()
        let answers = [answer(100.2, "ist-a", "dns"), answer(100.3, "ist-a", "redirect"), answer(101.5, "ist-a", "dns"),
                       answer(100.1, "ist-b", "dns", ok: false)]
        let result = ChaosInvariants.everyLiveDirectorAnswers(answers, directors: ["ist-a"], timeline: timeline, window: 100...102)
        #expect(result.checked == 4 && result.violations == ["ist-a gave no redirect answer in second 101 while it was live"])
        timeline.absent["ist-b"] = [99...103]
        #expect(ChaosInvariants.everyLiveDirectorAnswers(answers, directors: ["ist-b"], timeline: timeline, window: 100...102).checked == 0)
    }

    @Test("an answer into an outage after the grace period is caught, one before it is not")
    func noAnswerIntoAnOutage() {
        var timeline = ChaosTimeline()
        timeline.outages = [("izmir", 200...206)]
        let answers = [answer(201, "ank-a", "dns", addresses: ["10.252.0.13"]), answer(203, "ank-a", "dns", addresses: ["10.252.0.12"]),
                       answer(204, "ank-b", "redirect", host: "izmir.api.example.test"), answer(207, "ank-b", "dns", addresses: ["10.252.0.13"])]
        let result = ChaosInvariants.noAnswerIntoAnOutage(answers, timeline: timeline, addresses: ["izmir": ["10.252.0.13"]],
                                                          hosts: ["izmir": "izmir.api.example.test"])
        #expect(result.checked == 2)
        #expect(result.violations == ["ank-b sent a redirect client (local) to izmir 4.0 s into its outage"])
    }
}
