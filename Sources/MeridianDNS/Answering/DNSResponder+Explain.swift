import MeridianCore

extension DNSResponder {
    /// The TXT strings of `_explain.<service>`: the client's location, the outcome and why, and
    /// one line per candidate region.
    func explanation(_ decision: Decision) -> [String] {
        var lines = ["service \(decision.service.fqdn) policy \(decision.service.policy.rawValue)",
                     "client \(decision.client)"]
        switch decision.outcome {
        case .site(let region):
            lines.append("answer \(region): " + decision.addresses.map(\.description).joined(separator: " "))
        case .allDown(let behaviour):
            lines.append("answer all sites down, \(behaviour.keyword): " + decision.addresses.map(\.description).joined(separator: " "))
        }
        lines.append("why \(decision.reason)")
        for candidate in decision.candidates {
            var line = "candidate \(candidate.region) \(candidate.availability.rawValue) (\(candidate.status))"
            line += " score \(candidate.score.rounded(to: 3))"
            if let distance = candidate.distanceKilometres { line += " \(Int(distance.rounded())) km" }
            if let latency = candidate.latency { line += " \(latency.shortDescription)" }
            if candidate.share > 0 && candidate.share < 1 { line += " share \(candidate.share.percentage)" }
            lines.append(line)
        }
        if decision.isolated { lines.append("note this director is isolated from its peers") }
        return lines
    }
}
