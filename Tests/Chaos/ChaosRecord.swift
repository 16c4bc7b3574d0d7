import Foundation

/// One answer a chaos client got (or did not get), as `client.py` writes it.
struct ChaosAnswer: Decodable {
    /// When the question was sent (Unix time, seconds).
    var t: Double
    var director: String
    /// `dns` or `redirect`.
    var kind: String
    /// The network the client spoke for ("" for itself).
    var client: String
    var ok: Bool
    var addresses: [String]?
    var host: String?
}

/// What the faults did and when (Unix time, seconds): the record the invariants are checked against.
struct ChaosTimeline {
    /// Spans in which a director is not expected to answer: from its kill until it has been back
    /// for its warm-up.
    var absent: [String: [ClosedRange<Double>]] = [:]
    /// Spans in which every director sees a region's gateways down.
    var outages: [(region: String, span: ClosedRange<Double>)] = []
    /// Every fault, in words, for the test's output.
    var faults: [String] = []
}

/// The invariants the chaos test checks on the clients' answers. Pure: answers and a timeline in,
/// violations out (each a sentence).
enum ChaosInvariants {
    /// Every live director answers: in each whole second of `window` in which `director` is not
    /// absent, it answered at least one DNS question and one redirect. Returns the seconds checked
    /// and the violations.
    static func everyLiveDirectorAnswers(_ answers: [ChaosAnswer], directors: [String], timeline: ChaosTimeline,
                                         window: ClosedRange<Double>) -> (checked: Int, violations: [String]) {
        var answered: [String: Set<Int>] = [:]
        for answer in answers where answer.ok {
            answered["\(answer.director) \(answer.kind)", default: []].insert(Int(answer.t))
        }
        var checked = 0
        var violations: [String] = []
        for director in directors {
            for second in Int(window.lowerBound.rounded(.up))..<Int(window.upperBound) {
                let span = Double(second)...Double(second + 1)
                if timeline.absent[director, default: []].contains(where: { $0.overlaps(span) }) { continue }
                for kind in ["dns", "redirect"] {
                    checked += 1
                    if !(answered["\(director) \(kind)"]?.contains(second) ?? false) {
                        violations.append("\(director) gave no \(kind) answer in second \(second) while it was live")
                    }
                }
            }
        }
        return (checked, violations)
    }

    /// No answer points at a region every fresh observer sees down, `grace` after it went down: no
    /// DNS answer holds one of its `addresses`, no redirect goes to its `hosts`. Returns the answers
    /// checked and the violations.
    static func noAnswerIntoAnOutage(_ answers: [ChaosAnswer], timeline: ChaosTimeline, addresses: [String: Set<String>],
                                     hosts: [String: String], grace: Double = 2) -> (checked: Int, violations: [String]) {
        var checked = 0
        var violations: [String] = []
        for answer in answers where answer.ok {
            for outage in timeline.outages where answer.t >= outage.span.lowerBound + grace && answer.t <= outage.span.upperBound {
                checked += 1
                let into = answer.kind == "dns"
                    ? !(answer.addresses ?? []).filter { addresses[outage.region]?.contains($0) ?? false }.isEmpty
                    : answer.host == hosts[outage.region]
                if into {
                    violations.append("\(answer.director) sent a \(answer.kind) client (\(answer.client.isEmpty ? "local" : answer.client)) "
                                      + "to \(outage.region) \(String(format: "%.1f", answer.t - outage.span.lowerBound)) s into its outage")
                }
            }
        }
        return (checked, violations)
    }
}
