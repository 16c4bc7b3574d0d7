import ArgumentParser
import Foundation
import MeridianCore

/// `meridian simulate --fail REGION …`: the offline what-if of a region failure.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Predict what a region failure (or a region's return) does, offline, from the configuration.",
        discussion: """
            For every client network (and each --client), shows the site chosen before and after the failure, \
            the load each site takes against its capacity, and the worst-case time until clients move \
            (probe interval x fall + probe timeout + TTL). With --recover REGION, shows the region's failback \
            instead: the share of its clients it has back at each step, and every site's load then. It runs the \
            same decision code as the directors.
            """)

    @OptionGroup var regions: RegionsOption

    @Option(name: .customLong("fail"), help: "A region to fail (repeat for several).")
    var failing: [String] = []

    @Option(name: .customLong("recover"), help: "A region to bring back after a failure: prints its failback, step by step.")
    var recovering: String?

    @Option(name: .customLong("client"), help: "A client address to show as well (repeat for several).")
    var clients: [String] = []

    @Flag(help: "Print the report as JSON (see docs/simulate.md).")
    var json = false

    func validate() throws {
        guard failing.isEmpty != (recovering == nil) else {
            throw ValidationError("name the regions to fail with --fail REGION, or one to bring back with --recover REGION")
        }
        if recovering != nil, !clients.isEmpty { throw ValidationError("--client goes with --fail") }
        for client in clients where IPAddress(client) == nil {
            throw ValidationError("--client '\(client)' is not an IP address")
        }
    }

    func run() throws {
        let configuration = try loadConfiguration(regions.directory)
        if let recovering {
            let report = Simulation.recover(configuration, region: try region(recovering, in: configuration))
            try show(report) { RecoveryText.render($0, directory: regions.directory) }
            return
        }
        var failed: [RegionName] = []
        for name in failing {
            let region = try region(name, in: configuration)
            if !failed.contains(region) { failed.append(region) }
        }
        // The database is read only for addresses: the networks of the table do not need it.
        let geo = clients.isEmpty ? nil : try GeoPlaces(configuration)
        let report = Simulation.run(configuration, failing: failed, clients: clients.compactMap { IPAddress($0) }, geo: geo)
        try show(report) { SimulationText.render($0, directory: regions.directory) }
    }

    private func region(_ name: String, in configuration: Configuration) throws -> RegionName {
        let known = configuration.regions.map(\.name)
        guard let region = RegionName(name), known.contains(region) else {
            printError("error: unknown region '\(name)' (regions: \(known.map(\.rawValue).joined(separator: ", ")))")
            throw ExitCode(1)
        }
        return region
    }

    private func show<Report: Encodable>(_ report: Report, _ text: (Report) -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(text(report))
        }
    }
}
