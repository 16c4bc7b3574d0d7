import ArgumentParser
import Foundation
import MeridianCore
import MeridianServer

/// `meridian ctl status`: a director's view as aligned tables: regions, gateways, peers, overrides.
struct CtlStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a director's view of every region, gateway and peer.")

    @OptionGroup var options: DirectorOptions

    func run() async throws {
        let data = try await DirectorConnection.get(try options.target(), "/v1/status")
        try options.show(data, as: StatusDocument.self, Self.text)
    }

    static func text(_ status: StatusDocument) -> String {
        let director = status.director
        let release = director.configuration.serial.map { "release \($0) " } ?? ""
        var lines = ["director \(director.name) (\(director.region))  version \(director.version)  "
                     + "configuration \(release)\(director.configuration.fingerprint)"
                     + (director.isolated ? "  ISOLATED" : "") + (director.warmingUp ? "  warming up" : ""), ""]
        var regions = TextTable(header: ["REGION", "AVAILABILITY", "HEALTHY", "SCORE", "LATENCY", "REASON"])
        for region in status.regions {
            regions.add([region.name, region.availability, "\(region.healthy)/\(region.total)", String(format: "%.3f", region.score),
                         region.latencyMs.map { String(format: "%.1f ms", $0) } ?? "-", region.reason])
        }
        lines.append(regions.render())
        lines.append("")
        var gateways = TextTable(header: ["GATEWAY", "REGION", "ADDRESS", "STATE", "OWN VERDICT", "LATENCY", "REASON"])
        for region in status.regions {
            for gateway in region.gateways {
                gateways.add([gateway.name, region.name, gateway.address, gateway.state, gateway.verdict,
                              gateway.latencyMs.map { String(format: "%.1f ms", $0) } ?? "-", gateway.reason])
            }
        }
        lines.append(gateways.render())
        let loads = status.services.flatMap { service in (service.sites ?? []).map { (service.name, $0) } }
        if loads.contains(where: { $0.1.capacity != nil || $0.1.failback != nil }) {
            lines.append("")
            var table = TextTable(header: ["SERVICE", "SITE", "DEMAND", "LOAD", "CAPACITY", "SHED", "FAILBACK"])
            for (service, site) in loads {
                table.add([service, site.region, site.demand.formatted, site.load.formatted,
                           site.capacity.map { "\($0.formatted) (\(site.utilisation.map(\.percentage) ?? "-"))" } ?? "-",
                           site.shed > 0 ? site.shed.percentage : "-",
                           site.failback.map { "\($0.percentage) back" } ?? "-"])
            }
            lines.append(table.render())
        }
        if !status.peers.isEmpty {
            lines.append("")
            var peers = TextTable(header: ["PEER", "REGION", "STATE", "LAST HEARD", "CONFIGURATION", "URL"])
            for peer in status.peers {
                let configuration = peer.sameConfiguration.map { $0 ? "same" : "DIFFERENT (\(peer.fingerprint ?? "?"))" } ?? "-"
                peers.add([peer.director, peer.region, peer.state, peer.lastHeard ?? "-", configuration, peer.url])
            }
            lines.append(peers.render())
        }
        lines.append("")
        lines.append(CtlOverridesCommand.text(status.overrides))
        return lines.joined(separator: "\n")
    }
}
