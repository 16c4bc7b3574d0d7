import Foundation
import ArgumentParser
import MeridianCore
import MeridianServer

/// `meridian check [DIR]`: validates a configuration folder.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration folder and summarise it.",
        discussion: "Exits 0 when the folder is valid; otherwise prints every problem with file and line and exits 1. "
            + "The certificates `tls:` names are read too: a key that does not match, a redirect host no certificate covers "
            + "or an expired certificate is an error, one that expires within 14 days a warning. "
            + "With --slo, or when a service has `slo:`, each service's worst-case time until clients move is printed "
            + "as a sum of its terms, and a service over its objective is an error naming the term that costs most.")

    @Argument(help: "The configuration folder.")
    var directory: String = "regions"

    @Flag(name: .shortAndLong, help: "Print only problems.")
    var quiet = false

    @Option(help: "The failover objective of every service without an `slo:` of its own (30s, 1m).", transform: Self.duration)
    var slo: Duration?

    @Option(name: .customLong("resolver-floor"), help: "The shortest time resolvers keep an answer, whatever its TTL (default 0s).",
            transform: Self.duration)
    var resolverFloor: Duration = .zero

    func run() throws {
        let configuration = try loadConfiguration(directory)
        // The certificates of `tls:`: read, matched to their keys and to the redirect hosts, and dated.
        let findings = TLSCertificateCheck.findings(configuration)
        for finding in findings { printError(finding.description) }
        if findings.contains(where: \.isError) { throw ExitCode(1) }
        let budgets = configuration.services.map { FailoverBudget($0, in: configuration, resolverFloor: resolverFloor, slo: slo) }
        let checked = budgets.filter { $0.sloSeconds != nil }
        for budget in checked where budget.isOver {
            let largest = budget.largest.map { "; the largest term is \($0.name) \(FailoverBudget.text(seconds: $0.seconds)): \($0.detail)" } ?? ""
            printError("error: \(budget.service): clients may take \(budget.text), over its slo "
                       + "\(FailoverBudget.text(seconds: budget.sloSeconds ?? 0))\(largest)")
        }
        if checked.contains(where: \.isOver) { throw ExitCode(1) }
        guard !quiet else { return }
        print(summary(configuration))
        if !checked.isEmpty {
            var table = TextTable(header: ["SERVICE", "SLO", "WORST CASE"])
            for budget in checked { table.add([budget.service, FailoverBudget.text(seconds: budget.sloSeconds ?? 0), budget.text]) }
            print("\n" + table.render())
        }
    }

    private static func duration(_ text: String) throws -> Duration {
        guard let duration = Duration.parse(text), duration >= .zero else {
            throw ValidationError("'\(text)' is not a duration (30s, 1m, 1500ms)")
        }
        return duration
    }

    func summary(_ configuration: Configuration) -> String {
        let gateways = configuration.gateways.count
        let prefixes = configuration.networks.map(\.prefixes.count).reduce(0, +)
        var text = "\(directory) is valid: zone \(configuration.zone), \(configuration.regions.count) regions, "
            + "\(gateways) gateways, \(configuration.services.count) services, "
            + "\(configuration.networks.count) client networks (\(prefixes) prefixes), \(configuration.records.count) static record sets\n"
        if let settings = configuration.geoIP, let database = try? GeoDatabase(path: settings.database) {
            text += "GeoIP: \(settings.database) (\(database.type), built \(database.built.formatted(.iso8601.year().month().day())), "
                + "\(database.nodeCount) nodes)\n"
        }
        text += "\n"

        var regions = TextTable(header: ["REGION", "LOCATION", "GATEWAYS", "WEIGHT", "CAPACITY", "DIRECTORS"])
        var directors = TextTable(header: ["DIRECTOR", "REGION", "DNS", "REDIRECT", "API", "KEY"])
        for region in configuration.regions {
            regions.add([region.name.rawValue, region.location.description, "\(region.gateways.count)",
                         region.weight.formatted, region.capacity?.formatted ?? "-",
                         region.directors.map(\.name.rawValue).joined(separator: ", ")])
            for director in region.directors {
                directors.add([director.name.rawValue, region.name.rawValue, "\(director.dns)", "\(director.redirect)",
                               "\(director.api)", director.key == nil ? "-" : "ed25519"])
            }
        }
        var services = TextTable(header: ["SERVICE", "NAME", "POLICY", "TTL", "MAX", "ALL-DOWN", "REGIONS", "REDIRECT HOSTS"])
        for service in configuration.services {
            services.add([service.name.rawValue, service.fqdn.text, service.policy.rawValue, "\(service.ttl)s",
                          "\(service.maxAnswers)", service.allDown.keyword,
                          service.regions.map(\.rawValue).joined(separator: ", "),
                          service.redirect?.hosts.map(\.text).joined(separator: ", ") ?? "-"])
        }
        text += regions.render() + "\n\n" + directors.render() + "\n\n" + services.render()
        if !configuration.records.isEmpty {
            var records = TextTable(header: ["RECORD", "TYPE", "TTL", "VALUES"])
            for set in configuration.records {
                records.add([set.owner.text, set.type.rawValue, "\(set.ttl)s", set.values.map(\.description).joined(separator: ", ")])
            }
            text += "\n\n" + records.render()
        }
        return text
    }
}
