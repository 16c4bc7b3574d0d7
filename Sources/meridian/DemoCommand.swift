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
        discussion: "Every gateway of the configuration gets a stand-in at its probe target; Ctrl-C stops everything.")

    @OptionGroup var regions: RegionsOption

    @Option(name: .customLong("log-level"))
    var logLevel: Logger.Level = .notice

    @Option(name: .customLong("state"),
            help: "The folder under which each director keeps its state, in a folder named after it (default: a new temporary folder, removed at the end).")
    var stateDirectory: String?

    func run() async throws {
        let logger = bootstrapLogging(level: logLevel)
        let descriptors = DescriptorLimit.raise()
        let configuration = try loadConfiguration(regions.directory)
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
        let stateFolder = stateDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("meridian-demo-\(UUID().uuidString)").path
        defer { if stateDirectory == nil { try? FileManager.default.removeItem(atPath: stateFolder) } }
        for (region, endpoints) in configuration.directors {
            var options = DirectorService.Options(region: region.rawValue, director: endpoints.name.rawValue, source: regions.directory,
                                                  logger: logger, budget: budget)
            options.credentials = PeerCredentials(key: keys[endpoints.name]!, keyring: keyring)
            options.adminToken = AdminToken(tokenText)!
            options.stateDirectory = "\(stateFolder)/\(endpoints.name)"
            options.reloadsOnHangup = true
            let director = try DirectorService(configuration: configuration, options: options)
            services.append(director)
            listeners.merge(listenAddresses(of: director, prefix: "\(endpoints.name) ")) { first, _ in first }
        }
        printNow(banner(configuration, token: tokenText))
        try await runServices(services, listeners: listeners, logger: logger)
        printNow("\nmeridian demo stopped")
    }

    private func banner(_ configuration: Configuration, token: String) -> String {
        var lines = ["Meridian demo: \(configuration.directors.count) directors in \(configuration.regions.count) regions and "
                     + "\(configuration.gateways.count) stand-in gateways on loopback. Ctrl-C stops everything.", ""]
        for (region, director) in configuration.directors {
            lines.append("  \("\(director.name) (\(region))".padding(toLength: 20, withPad: " ", startingAt: 0)) dashboard  "
                         + "http://\(director.api)/   status http://\(director.api)/v1/status")
        }
        lines.append("")
        lines.append("Ask DNS (each director answers for the zone \(configuration.zone)):")
        let service = configuration.services.first.map { $0.fqdn.text } ?? configuration.zone.text
        for director in configuration.directors.map(\.endpoints) {
            lines.append("  dig @\(director.dns.ip) -p \(director.dns.port) \(service) +short")
        }
        if let last = configuration.directors.last?.endpoints {
            lines.append("  dig @\(last.dns.ip) -p \(last.dns.port) \(service) +nsid | grep NSID   # which director answered: \(last.name)")
        }
        let dns = configuration.regions[0].director.dns
        for network in configuration.networks where network.location.region != nil && network.load > 0 {
            if let prefix = network.prefixes.first(where: { $0.address.family == .v4 }) {
                lines.append("  dig @\(dns.ip) -p \(dns.port) \(service) +short +subnet=\(prefix)   # \(network.name), near \(network.location.region!)")
            }
        }
        lines.append("  dig @\(configuration.regions[0].director.dns.ip) -p \(configuration.regions[0].director.dns.port) _explain.\(service) TXT +short +subnet=10.34.0.0/16")
        if let redirected = configuration.services.first(where: { $0.redirect != nil }),
           let host = redirected.redirect?.hosts.first {
            lines.append("")
            lines.append("Ask the HTTP redirector (\(host) is service \(redirected.name)):")
            for region in configuration.regions {
                let redirect = region.director.redirect
                lines.append("  curl -i -H 'Host: \(host)' 'http://\(redirect)/v1/orders?id=7'")
            }
            let redirect = configuration.regions[0].director.redirect
            if !configuration.trustedProxies.isEmpty {
                for network in configuration.networks where network.location.region != nil && network.load > 0 {
                    if let prefix = network.prefixes.first(where: { $0.address.family == .v4 }), case .v4(let bits) = prefix.address {
                        lines.append("  curl -si -H 'Host: \(host)' -H 'X-Forwarded-For: \(IPAddress.v4(bits + 1))' "
                                     + "'http://\(redirect)/v1/orders?id=7' | grep -i '^location'   # \(network.name), via a trusted proxy")
                    }
                }
            }
            lines.append("  curl -s -H 'Host: \(host)' 'http://\(redirect)/v1/orders?meridian=json'   # the decision, as JSON")
        }
        lines.append("")
        lines.append("Try:")
        if let first = configuration.regions.first {
            lines.append("  curl -s http://\(first.director.api)/v1/status | head -40")
            lines.append("  curl -s http://\(first.director.api)/metrics | grep meridian_region")
        }
        if let region = configuration.regions.last, region.gateways.first?.probe.kind != .https {
            let controls = region.gateways.map {
                MeridianCore.SocketAddress(ip: IPAddress($0.probe.targetHost) ?? $0.address, port: $0.probe.targetPort + 1)
            }
            lines.append("  # break every \(region.name) gateway (down, error, hang or slow?delay=2s) and watch the dashboards:")
            lines.append("  " + controls.map { "curl -X POST http://\($0)/mode/down" }.joined(separator: "; "))
            lines.append("  # and bring them back:")
            lines.append("  " + controls.map { "curl -X POST http://\($0)/mode/healthy" }.joined(separator: "; "))
        }
        lines.append("  swift run meridian simulate --fail \(configuration.regions.last?.name.rawValue ?? "REGION")   # the same, predicted offline")
        if let drilled = configuration.regions.last?.name {
            lines.append("")
            lines.append("A failure drill from the CLI (any director takes it; the others follow within a second):")
            lines.append("  export \(AdminToken.environmentVariable)=\(token)")
            lines.append("  swift run meridian ctl status")
            lines.append("  swift run meridian ctl fail \(drilled) --for 2m --reason drill")
            lines.append("  swift run meridian ctl overrides")
            lines.append("  swift run meridian ctl restore \(drilled)")
        }
        return lines.joined(separator: "\n")
    }
}
