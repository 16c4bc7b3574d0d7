import ArgumentParser
import Foundation
import MeridianCore

/// `meridian simulate --fail REGION …`: the offline what-if of a region failure.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Predict what a region failure does, offline, from the configuration.",
        discussion: """
            For every client network (and each --client), shows the site chosen before and after the failure, \
            the load each site takes against its capacity, and the worst-case time until clients move \
            (probe interval x fall + probe timeout + TTL). It runs the same decision code as the directors.
            """)

    @OptionGroup var regions: RegionsOption

    @Option(name: .customLong("fail"), help: "A region to fail (repeat for several).")
    var failing: [String] = []

    @Option(name: .customLong("client"), help: "A client address to show as well (repeat for several).")
    var clients: [String] = []

    @Flag(help: "Print the report as JSON (see docs/simulate.md).")
    var json = false

    func validate() throws {
        guard !failing.isEmpty else { throw ValidationError("name at least one region with --fail REGION") }
        for client in clients where IPAddress(client) == nil {
            throw ValidationError("--client '\(client)' is not an IP address")
        }
    }

    func run() throws {
        let configuration = try loadConfiguration(regions.directory)
        let known = configuration.regions.map(\.name)
        var failed: [RegionName] = []
        for name in failing {
            guard let region = RegionName(name), known.contains(region) else {
                printError("error: unknown region '\(name)' (regions: \(known.map(\.rawValue).joined(separator: ", ")))")
                throw ExitCode(1)
            }
            if !failed.contains(region) { failed.append(region) }
        }
        let report = Simulation.run(configuration, failing: failed, clients: clients.compactMap { IPAddress($0) })
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(SimulationText.render(report, directory: regions.directory))
        }
    }
}
