import MeridianCore

/// The human form of a `RecoveryReport`: one timeline per service, a row per step.
enum RecoveryText {
    static func render(_ report: RecoveryReport, directory: String) -> String {
        var lines = ["What if \(report.recoveredRegion) comes back? (offline, from \(directory))"]
        for service in report.services {
            lines.append("")
            let schedule = service.steps.count > 1
                ? service.steps.map(\.percentage).joined(separator: " -> ") + ", each held \(service.holdSeconds.formatted)s"
                : "off (every client back at once)"
            lines.append("\(service.fqdn)  failback \(schedule)")
            lines.append("")
            let sites = service.timeline.first?.sites.map(\.region) ?? []
            var table = TextTable(header: ["AT", "\(report.recoveredRegion.uppercased()) BACK"] + sites.map { $0.uppercased() } + ["EVENT"])
            for moment in service.timeline {
                let loads = moment.sites.map { site in
                    site.load.formatted + (site.utilisation.map { " (\($0.percentage))" } ?? "")
                }
                table.add([moment.atSeconds.map { "\($0.formatted)s" } ?? "before", moment.share.percentage] + loads + [moment.event])
            }
            lines.append(table.render(indent: "  "))
        }
        if report.services.isEmpty { lines.append("no service has \(report.recoveredRegion) among its regions") }
        return lines.joined(separator: "\n")
    }
}
