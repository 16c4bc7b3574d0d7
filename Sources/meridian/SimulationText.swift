import MeridianCore

/// The human form of a `SimulationReport`: one section per service with aligned tables.
enum SimulationText {
    static func render(_ report: SimulationReport, directory: String) -> String {
        var lines = ["What if \(report.failedRegions.joined(separator: " and ")) fail\(report.failedRegions.count == 1 ? "s" : "")? "
                     + "(offline, from \(directory))"]
        for service in report.services {
            lines.append("")
            lines.append("\(service.fqdn)  policy \(service.policy), all-down \(service.allDown)")
            if let move = service.timeToMove {
                lines.append("  clients move within \(seconds(move.seconds)) at worst: probe every "
                             + "\(seconds(move.probeIntervalSeconds)) x fall \(move.fall) + timeout "
                             + "\(seconds(move.probeTimeoutSeconds)) + ttl \(move.ttlSeconds)s (slowest gateway \(move.slowestGateway))")
            } else {
                lines.append("  not affected: no failed region serves this service")
            }
            lines.append("")
            var clients = TextTable(header: ["CLIENT", "PREFIXES", "LOAD", "BEFORE", "AFTER", ""])
            for client in service.clients {
                let prefixes = client.kind == "address" ? client.location : client.prefixes.joined(separator: " ")
                clients.add([client.client, prefixes, client.kind == "address" ? "-" : client.load.formatted,
                             client.before.summary, client.after.summary, client.moved ? "moved" : ""])
            }
            lines.append(clients.render(indent: "  "))
            lines.append("")
            var sites = TextTable(header: ["SITE", "CAPACITY", "LOAD BEFORE", "LOAD AFTER", "USE AFTER", "SPILL AFTER"])
            for site in service.sites {
                let use: String
                if site.failed {
                    use = "failed"
                } else if let utilisation = site.utilisationAfter {
                    use = utilisation.percentage + (site.overCapacity ? "  OVER CAPACITY" : "")
                } else {
                    use = "-"
                }
                let spill = site.shedAfter > 0 ? "sheds \(site.shedAfter.percentage)" : ""
                sites.add([site.region, site.capacity?.formatted ?? "-", site.loadBefore.formatted,
                           site.loadAfter.formatted, use, spill])
            }
            lines.append(sites.render(indent: "  "))
            if service.unservedLoadAfter > 0 {
                lines.append("  unserved after: \(service.unservedLoadAfter.formatted) (\(service.allDown))")
            }
            for warning in service.warnings {
                lines.append("  warning: \(warning)")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func seconds(_ value: Double) -> String {
        value < 1 ? "\((value * 1000).formatted)ms" : "\(value.formatted)s"
    }
}
