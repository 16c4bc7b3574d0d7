import ArgumentParser
import Foundation
import MeridianCore

/// `meridian ctl explain --client IP --service NAME`: a director's decision for one client, explained.
struct CtlExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain where a director sends a client for a service, and why.")

    @Option(help: "The client's IP address.")
    var client: String

    @Option(help: "The service (its name, such as api, or its full DNS name).")
    var service: String

    @OptionGroup var options: DirectorOptions

    func validate() throws {
        guard IPAddress(client) != nil else { throw ValidationError("--client: '\(client)' is not an IP address") }
    }

    func run() async throws {
        let target = try options.target()
        let query = "client=\(client)&service=\(service.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? service)"
        let data = try await DirectorConnection.get(target, "/v1/explain?" + query)
        try options.show(data, as: DecisionReport.self, Self.text)
    }

    /// The report as aligned text.
    static func text(_ report: DecisionReport) -> String {
        var lines = ["\(report.fqdn) (service \(report.service), policy \(report.policy)) for \(report.client.address ?? "?")", ""]
        lines.append("client      \(report.client.description)")
        if let region = report.region {
            lines.append("answer      \(region): \(report.addresses.joined(separator: " "))")
        } else {
            lines.append("answer      every site is down, \(report.allDown ?? ""): \(report.addresses.joined(separator: " "))")
        }
        if let url = report.redirectURL { lines.append("redirect    \(url)") }
        lines.append("why         \(report.reason)")
        if let ttl = report.ttl { lines.append("ttl         \(ttl)s" + (report.ttlDoubt.map { ", short while \($0)" } ?? "")) }
        if report.isolated { lines.append("note        this director is isolated from its peers") }
        lines.append("")
        var table = TextTable(header: ["REGION", "AVAILABILITY", "HEALTHY", "SCORE", "DISTANCE", "LATENCY", "SHARE", "STATUS"])
        for candidate in report.candidates {
            table.add([
                candidate.region, candidate.availability, "\(candidate.healthyGateways)/\(candidate.gateways)",
                String(format: "%.3f", candidate.score),
                candidate.distanceKilometres.map { "\(Int($0.rounded())) km" } ?? "-",
                candidate.latencyMilliseconds.map { String(format: "%.1f ms", $0) } ?? "-",
                candidate.share > 0 ? "\(Int((candidate.share * 100).rounded()))%" : "-",
                candidate.status,
            ])
        }
        lines.append(table.render())
        lines.append("")
        lines.append("decided at \(report.at)")
        return lines.joined(separator: "\n")
    }
}
