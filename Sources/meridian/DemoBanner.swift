import MeridianCore
import MeridianServer

/// What `meridian demo` prints once everything listens: where each director is, and lines to
/// paste that ask it over DNS, HTTP, HTTPS and its API, break a region, and drill a failure.
enum DemoBanner {
    /// The banner for `configuration` (run from `folder`); `caFile` is the throw-away authority's
    /// certificate when the demo made one, `trustAnchor` the delv trust anchor file of the zone's key.
    static func text(_ configuration: Configuration, folder: String, caFile: String?, trustAnchor: String?, token: String) -> String {
        let cacert = caFile.map { "--cacert \($0) " } ?? ""
        var lines = ["Meridian demo: \(configuration.directors.count) directors in \(configuration.regions.count) regions and "
                     + "\(configuration.gateways.count) stand-in gateways on loopback. Ctrl-C stops everything.",
                     "Configuration: \(folder)" + (caFile.map { "   throw-away CA: \($0)" } ?? ""), ""]
        for (region, director) in configuration.directors {
            let api = director.peerURL.text
            lines.append("  \("\(director.name) (\(region))".padding(toLength: 20, withPad: " ", startingAt: 0)) dashboard  "
                         + "\(api)/   status \(api)/v1/status")
        }
        lines.append("")
        lines += dnsLines(configuration)
        if let trustAnchor { lines += signedLines(configuration, trustAnchor: trustAnchor) }
        lines += redirectLines(configuration, cacert: cacert)
        lines.append("")
        lines.append("Try:")
        if let first = configuration.regions.first {
            lines.append("  curl -s \(cacert)\(first.director.peerURL.text)/v1/status | head -40")
            lines.append("  curl -s \(cacert)\(first.director.peerURL.text)/metrics | grep meridian_region")
        }
        let drilled = drilledRegion(configuration)
        if let region = drilled?.region, region.gateways.first?.probe.kind != .https {
            let controls = region.gateways.map {
                MeridianCore.SocketAddress(ip: IPAddress($0.probe.targetHost) ?? $0.address, port: $0.probe.targetPort + 1)
            }
            lines.append("  # break every \(region.name) gateway (down, error, hang or slow?delay=2s) and watch the dashboards:")
            lines.append("  " + controls.map { "curl -X POST http://\($0)/mode/down" }.joined(separator: "; "))
            lines.append("  # and bring them back (its clients return in steps: 10 %, 50 %, then all):")
            lines.append("  " + controls.map { "curl -X POST http://\($0)/mode/healthy" }.joined(separator: "; "))
        }
        lines.append("  swift run meridian simulate --fail \(drilled?.region.name.rawValue ?? "REGION")   # the same, predicted offline")
        if let drilled, let first = configuration.regions.first?.director {
            let caFlag = caFile.map { " --ca-file \($0)" } ?? ""
            let name = drilled.region.name
            lines.append("")
            lines.append("A failure drill from the CLI (any director takes it; the others follow within a second):")
            lines.append("  export \(AdminToken.environmentVariable)=\(token) MERIDIAN_DIRECTOR=\(first.peerURL.text)")
            lines.append("  swift run meridian ctl status\(caFlag)")
            lines.append("  swift run meridian ctl fail \(name) --for 2m --reason drill\(caFlag)")
            if let spill = drilled.spill {
                lines.append("  swift run meridian ctl status\(caFlag)   # \(spill.site) is over its high watermark: it sheds \(spill.percent) % of its clients")
                if let client = drilled.client {
                    lines.append("  swift run meridian ctl explain --client \(client) --service \(spill.service)\(caFlag)   # one of \(name)'s clients, and why it goes where it goes")
                }
            }
            lines.append("  swift run meridian ctl overrides\(caFlag)")
            lines.append("  swift run meridian ctl restore \(name)\(caFlag)")
            lines.append("  swift run meridian ctl failback\(caFlag)   # \(name)'s clients coming back in steps")
        }
        return lines.joined(separator: "\n")
    }

    /// The region the banner breaks and drills: the first whose failure makes a site spill (so the
    /// demo shows it), with the spilling site and a client of the region's; else the last region.
    private static func drilledRegion(_ configuration: Configuration) -> (region: Region, spill: (service: String, site: String, percent: Int)?, client: IPAddress?)? {
        for region in configuration.regions {
            let report = Simulation.run(configuration, failing: [region.name])
            for service in report.services {
                guard let site = service.sites.first(where: { $0.shedAfter > 0 }) else { continue }
                let client = configuration.networks.first { $0.location.region == region.name && $0.load > 0 }.flatMap(sampleClient)
                return (region, (service.service, site.region, Int((site.shedAfter * 100).rounded())), client)
            }
        }
        return configuration.regions.last.map { ($0, nil, nil) }
    }

    /// A client address of `network` to paste: the one after its first IPv4 prefix's own address.
    private static func sampleClient(of network: ClientNetwork) -> IPAddress? {
        guard let prefix = network.prefixes.first(where: { $0.address.family == .v4 }), case .v4(let bits) = prefix.address else { return nil }
        return .v4(bits &+ 1)
    }

    private static func dnsLines(_ configuration: Configuration) -> [String] {
        var lines = ["Ask DNS (each director answers for the zone \(configuration.zone)):"]
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
        lines.append("  dig @\(dns.ip) -p \(dns.port) _explain.\(service) TXT +short +subnet=10.34.0.0/16")
        return lines
    }

    /// The zone is signed: delv validates an answer with the key's trust anchor.
    private static func signedLines(_ configuration: Configuration, trustAnchor: String) -> [String] {
        let dns = configuration.regions[0].director.dns
        let service = configuration.services.first.map { $0.fqdn.text } ?? configuration.zone.text
        return ["", "The zone is signed (DNSSEC, a throw-away key); delv validates it and says \"; fully validated\":",
                "  delv -a \(trustAnchor) +root=\(configuration.zone) @\(dns.ip) -p \(dns.port) \(service)",
                "  dig @\(dns.ip) -p \(dns.port) \(service) +dnssec +multi   # the answer with its RRSIG"]
    }

    private static func redirectLines(_ configuration: Configuration, cacert: String) -> [String] {
        guard let redirected = configuration.services.first(where: { $0.redirect != nil }), let host = redirected.redirect?.hosts.first else {
            return []
        }
        var lines = ["", "Ask the HTTP redirector (\(host) is service \(redirected.name)):"]
        for region in configuration.regions {
            lines.append("  curl -i -H 'Host: \(host)' 'http://\(region.director.redirect)/v1/orders?id=7'")
        }
        let redirect = configuration.regions[0].director.redirect
        if !configuration.trustedProxies.isEmpty {
            for network in configuration.networks where network.location.region != nil && network.load > 0 {
                if let client = sampleClient(of: network) {
                    lines.append("  curl -si -H 'Host: \(host)' -H 'X-Forwarded-For: \(client)' "
                                 + "'http://\(redirect)/v1/orders?id=7' | grep -i '^location'   # \(network.name), via a trusted proxy")
                }
            }
        }
        lines.append("  curl -s -H 'Host: \(host)' 'http://\(redirect)/v1/orders?meridian=json'   # the decision, as JSON")
        let secure = configuration.regions.compactMap(\.director.redirectTLS)
        if !secure.isEmpty {
            lines.append("")
            lines.append("Ask the HTTPS redirector (the certificate is the throw-away CA's):")
            for address in secure {
                lines.append("  curl \(cacert)--resolve \(host):\(address.port):\(address.ip) -i https://\(host):\(address.port)/v1/orders?id=7")
            }
        }
        return lines
    }
}
