import ArgumentParser
import Foundation
import Logging
import MeridianCore
import MeridianServer
import MeridianTesting
import ServiceLifecycle

/// `meridian demo`: the whole system on loopback in one process.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start stand-in gateways and every director of every region on loopback, and show how to try them.",
        discussion: """
            Every gateway of the configuration gets a stand-in at its probe target. A configuration without TLS runs from a \
            copy with TLS added: a throw-away certificate authority, HTTPS redirect listeners (each plain port + 363), and \
            the API and the peers over HTTPS with mutual TLS. Ctrl-C stops everything.
            """)

    @OptionGroup var regions: RegionsOption

    @Option(name: .customLong("log-level"))
    var logLevel: Logger.Level = .notice

    @Option(name: .customLong("state"),
            help: "The folder under which each director keeps its state, in a folder named after it (default: a new temporary folder, removed at the end).")
    var stateDirectory: String?

    func run() async throws {
        let logger = bootstrapLogging(level: logLevel)
        let descriptors = DescriptorLimit.raise()
        let stateFolder = stateDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("meridian-demo-\(UUID().uuidString)").path
        defer { if stateDirectory == nil { try? FileManager.default.removeItem(atPath: stateFolder) } }
        // A copy of the folder with TLS everywhere, and a throw-away authority for it.
        let made = try DemoFolder.make(from: regions.directory, configuration: try loadConfiguration(regions.directory), under: stateFolder)
        let configuration = try loadConfiguration(made.folder)
        let budget = ConnectionBudget(descriptors: descriptors, configuration: configuration,
                                      directors: configuration.directors.count)
        logger.notice("connection limits", metadata: budget.metadata)
        var specs: [StandInService.Spec] = []
        var listeners: [String: MeridianCore.SocketAddress] = [:]
        for gateway in configuration.gateways {
            guard gateway.probe.kind != .https, let ip = IPAddress(gateway.probe.targetHost) else {
                logger.warning("no stand-in for this gateway (it is probed over HTTPS or by name)",
                               metadata: ["gateway": "\(gateway.name)"])
                continue
            }
            let listen = MeridianCore.SocketAddress(ip: ip, port: gateway.probe.targetPort)
            specs.append(.init(name: gateway.name.rawValue, listen: try listen.nio, control: try listen.nextPort.nio))
            listeners["gateway \(gateway.name)"] = listen
        }
        var services: [any ServiceLifecycle.Service] = [StandInService(specs, logger: logger)]
        // The demo's directors peer with each other, each signing with a key made up for this run,
        // take admin calls with a token printed in the banner, and keep their state in a folder each.
        let keys = Dictionary(uniqueKeysWithValues: configuration.directors.map { ($0.endpoints.name, DirectorSigningKey.generate()) })
        let keyring = PeerKeyring.given(keys.mapValues(\.publicKey))
        let tokenText = ProcessInfo.processInfo.environment[AdminToken.environmentVariable].flatMap { AdminToken($0) == nil ? nil : $0 }
            ?? "demo-" + (0..<12).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        for (region, endpoints) in configuration.directors {
            var options = DirectorService.Options(region: region.rawValue, director: endpoints.name.rawValue, source: made.folder,
                                                  logger: logger, budget: budget)
            options.credentials = PeerCredentials(key: keys[endpoints.name]!, keyring: keyring)
            options.adminToken = AdminToken(tokenText)!
            options.stateDirectory = "\(stateFolder)/\(endpoints.name)"
            options.reloadsOnHangup = true
            options.dnssecKeys = made.dnssecKeys
            let director = try DirectorService(configuration: configuration, options: options)
            services.append(director)
            listeners.merge(listenAddresses(of: director, prefix: "\(endpoints.name) ")) { first, _ in first }
        }
        printNow(DemoBanner.text(configuration, folder: made.folder, caFile: made.caFile, trustAnchor: made.trustAnchor, token: tokenText))
        try await runServices(services, listeners: listeners, logger: logger)
        printNow("\nmeridian demo stopped")
    }
}
