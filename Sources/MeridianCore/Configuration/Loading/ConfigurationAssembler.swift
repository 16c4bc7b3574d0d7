/// Checks what the files say against each other (references, uniqueness, port clashes), applies
/// the defaults, and builds the `Configuration`.
struct ConfigurationAssembler {
    let global: GlobalFile
    let regionFiles: [RegionFile]
    let log: ProblemLog

    init(global: GlobalFile, regions: [RegionFile], log: ProblemLog) {
        self.global = global
        self.regionFiles = regions
        self.log = log
    }

    /// The configuration, or `nil` when a required part is missing (the reason is already logged).
    func assemble() -> Configuration? {
        let regions = buildRegions()
        checkDirectorClashes()
        // References are checked against every region a file names, even one with problems of its own,
        // so one mistake is reported once rather than again at every reference.
        let named = regionFiles.compactMap { $0.name?.value }
        let locations = Dictionary(regions.map { ($0.name, $0.location) }, uniquingKeysWith: { first, _ in first })
        let services = buildServices(regions: Array(Set(named)).sorted(), known: Set(named))
        let networks = buildNetworks(locations: locations, known: Set(named))
        let defaultLocation = global.defaultLocation.flatMap {
            resolve($0, locations: locations, known: Set(named), what: "default-location")
        }
        guard let zone = global.zone else { return nil }
        var configuration = Configuration(zone: zone, regions: regions, services: services, networks: networks,
                             defaultLocation: defaultLocation, staleAfter: global.staleAfter,
                             trustedProxies: global.trustedProxies, debugAnswers: global.debugAnswers)
        if let drainGrace = global.drainGrace { configuration.drainGrace = drainGrace }
        configuration.rateLimit = global.rateLimit
        configuration.tls = global.tls
        configuration.peerTLS = global.peerTLS
        configuration.forwardingHeader = global.forwardingHeader
        configuration.dnssec = global.dnssec
        configuration.geoIP = global.geoIP
        configuration.records = StaticRecordsCheck(zone: zone, entries: global.records, services: services,
                                                   directors: regions.flatMap(\.directors).map(\.name), log: log).recordSets()
        return configuration
    }

    // MARK: Regions and gateways

    private func buildRegions() -> [Region] {
        var seenRegions: [RegionName: SourceLocation] = [:]
        var seenGateways: [GatewayName: SourceLocation] = [:]
        var seenAddresses: [IPAddress: GatewayName] = [:]
        var regions: [Region] = []
        for file in regionFiles {
            guard let name = file.name else { continue }
            if let first = seenRegions[name.value] {
                log.report("region '\(name.value)' is defined twice (also at \(first))", at: name.location)
                continue
            }
            seenRegions[name.value] = name.location
            var gateways: [Gateway] = []
            for entry in file.gateways {
                if let first = seenGateways[entry.name.value] {
                    log.report("gateway '\(entry.name.value)' is defined twice (also at \(first)); "
                               + "gateway names are unique across regions", at: entry.name.location)
                    continue
                }
                seenGateways[entry.name.value] = entry.name.location
                guard let address = entry.address else { continue }
                if let other = seenAddresses[address] {
                    log.report("address \(address) is also gateway '\(other)''s", at: entry.name.location)
                }
                seenAddresses[address] = entry.name.value
                let patch = global.probe.overlaid(by: file.probe).overlaid(by: entry.probe)
                guard let probe = patch.resolved(for: address, gatewayLocation: entry.name.location, log: log) else {
                    continue
                }
                gateways.append(Gateway(name: entry.name.value, region: name.value, address: address, probe: probe))
            }
            let directors = file.directors.compactMap { director -> DirectorEndpoints? in
                guard let dns = director.dns, let redirect = director.redirect, let api = director.api else { return nil }
                if let tls = director.redirectTLS, global.tls == nil {
                    log.report("redirect-tls needs the certificates to serve: global.yaml has no 'tls'", at: tls.location)
                }
                if director.apiTLS == nil, let clientCA = global.peerClientCALocation {
                    log.report("peer-client-ca (at \(clientCA)) asks every director for a client certificate: give this one 'api-tls'",
                               at: director.name.location)
                }
                return DirectorEndpoints(name: director.name.value, dns: dns.value, redirect: redirect.value, api: api.value,
                                         peerURL: director.peerURL, key: director.key, redirectTLS: director.redirectTLS?.value,
                                         apiTLS: director.apiTLS)
            }
            guard let location = file.location, !directors.isEmpty, directors.count == file.directors.count else { continue }
            regions.append(Region(
                name: name.value, location: location, weight: file.weight ?? 1, capacity: file.capacity,
                minHealthy: file.minHealthy ?? global.minHealthy ?? 0.5,
                watermarks: file.watermarks.flatMap { GlobalFile.readWatermarks($0, defaults: global.watermarks) }
                    ?? global.watermarks,
                directors: directors,
                gateways: gateways))
        }
        return regions
    }

    /// No two directors share a name or a listen address, across every region.
    private func checkDirectorClashes() {
        var listeners: [(label: String, address: Located<SocketAddress>)] = []
        var names: [DirectorName: (region: RegionName, location: SourceLocation)] = [:]
        for file in regionFiles {
            guard let region = file.name?.value else { continue }
            for director in file.directors {
                if let other = names[director.name.value] {
                    log.report("director '\(director.name.value)' is also a director of \(other.region) (at \(other.location)); "
                               + "director names are unique across regions", at: director.name.location)
                }
                names[director.name.value] = (region, director.name.location)
                let own: [(String, Located<SocketAddress>?)] = [
                    ("dns", director.dns), ("redirect", director.redirect), ("redirect-tls", director.redirectTLS), ("api", director.api),
                ]
                // One director is `director`, as its file spells it; several are named.
                let owner = file.directors.count == 1 ? "\(region)'s director" : "\(region)'s director \(director.name.value)"
                for case let (key, address?) in own {
                    let label = "\(owner).\(key)"
                    if let clash = listeners.first(where: { $0.address.value.collides(with: address.value) }) {
                        log.report("\(label) \(address.value) clashes with \(clash.label) \(clash.address.value) "
                                   + "(at \(clash.address.location))", at: address.location)
                    }
                    listeners.append((label, address))
                }
            }
        }
    }

    // MARK: Services

    private func buildServices(regions: [RegionName], known: Set<RegionName>) -> [Service] {
        var hostOwners: [DomainName: ServiceName] = [:]
        let weightOf = Dictionary(regionFiles.compactMap { file in file.name.map { ($0.value, file.weight ?? 1) } },
                                  uniquingKeysWith: { first, _ in first })
        return global.services.compactMap { entry in
            let name = entry.name
            let serviceRegions = checkedRegions(entry, all: regions, known: known)
            var weights: [RegionName: Double] = [:]
            for region in serviceRegions { weights[region] = weightOf[region] ?? 1 }
            for (region, weight) in entry.weights {
                if serviceRegions.contains(region.value) {
                    weights[region.value] = weight
                } else {
                    log.report("weights: '\(region.value)' is not one of service '\(name.value)''s regions",
                               at: region.location)
                }
            }
            let policy = entry.policy ?? .nearest
            if policy == .weighted, !serviceRegions.isEmpty, !weights.values.contains(where: { $0 > 0 }) {
                log.report("service '\(name.value)' is weighted but every weight is 0", at: name.location)
            }
            let allDown = allDownBehaviour(entry)
            let redirect = entry.redirect.flatMap { redirectSettings($0, service: name, regions: serviceRegions,
                                                                    hostOwners: &hostOwners) }
            let ttl = entry.ttl ?? Service.defaultTTL
            if let ttlMin = entry.ttlMin, ttlMin.value > ttl {
                log.report("service '\(name.value)': ttl-min (\(ttlMin.value)s) is longer than ttl (\(ttl)s)",
                           at: ttlMin.location)
            }
            guard let fqdn = global.zone?.prepending(name.value.rawValue) else { return nil }
            return Service(name: name.value, fqdn: fqdn, policy: policy, ttl: ttl,
                           maxAnswers: entry.maxAnswers ?? Service.defaultMaxAnswers, allDown: allDown ?? .failOpen,
                           regions: serviceRegions, weights: weights, redirect: redirect, spill: entry.spill ?? true,
                           failback: entry.failback ?? .standard, ttlMin: entry.ttlMin?.value, slo: entry.slo)
        }
    }

    private func checkedRegions(_ entry: GlobalFile.ServiceEntry, all: [RegionName], known: Set<RegionName>) -> [RegionName] {
        guard let listed = entry.regions else { return all }
        var result: [RegionName] = []
        for region in listed {
            if !known.contains(region.value) {
                log.report("service '\(entry.name.value)' names region '\(region.value)', which does not exist"
                           + suggestion(region.value.rawValue, among: all.map(\.rawValue)), at: region.location)
            } else if result.contains(region.value) {
                log.report("region '\(region.value)' is listed twice", at: region.location)
            } else {
                result.append(region.value)
            }
        }
        return result
    }

    private func allDownBehaviour(_ entry: GlobalFile.ServiceEntry) -> AllDownBehaviour? {
        switch (entry.allDown?.value, entry.fallback) {
        case ("fallback", let target?):
            return .fallback(target.value)
        case ("fallback", nil):
            log.report("service '\(entry.name.value)': all-down is fallback but there is no 'fallback' target",
                       at: entry.allDown?.location ?? entry.name.location)
            return nil
        case (_, let target?):
            log.report("service '\(entry.name.value)': a fallback target is given but all-down is not 'fallback'",
                       at: target.location)
            return nil
        case ("fail-closed", nil):
            return .failClosed
        default:
            return .failOpen
        }
    }

    private func redirectSettings(_ entry: GlobalFile.RedirectEntry, service: Located<ServiceName>,
                                  regions: [RegionName], hostOwners: inout [DomainName: ServiceName]) -> RedirectSettings? {
        for host in entry.hosts {
            if let owner = hostOwners[host.value] {
                log.report("redirect host \(host.value) is already used by service '\(owner)'", at: host.location)
            }
            hostOwners[host.value] = service.value
        }
        var urls: [RegionName: BaseURL] = [:]
        for (region, url) in entry.urls {
            if regions.contains(region.value) {
                urls[region.value] = url
            } else {
                log.report("redirect.urls: '\(region.value)' is not one of service '\(service.value)''s regions",
                           at: region.location)
            }
        }
        let missing = regions.filter { urls[$0] == nil }
        if !missing.isEmpty {
            log.report("redirect.urls has no URL for \(missing.map(\.rawValue).joined(separator: ", "))",
                       at: entry.location)
        }
        return RedirectSettings(hosts: entry.hosts.map(\.value), status: entry.status ?? 302,
                                otherMethods: entry.otherMethods ?? 405, maxAge: entry.maxAge, urls: urls, hstsMaxAge: entry.hsts)
    }

    // MARK: Networks

    private func buildNetworks(locations: [RegionName: GeoPoint], known: Set<RegionName>) -> [ClientNetwork] {
        var owners: [IPPrefix: NetworkName] = [:]
        return global.networks.compactMap { entry in
            for prefix in entry.prefixes {
                if let owner = owners[prefix.value] {
                    log.report("prefix \(prefix.value) is already in network '\(owner)'", at: prefix.location)
                }
                owners[prefix.value] = entry.name.value
            }
            guard let reference = entry.location,
                  let location = resolve(reference, locations: locations, known: known,
                                         what: "network '\(entry.name.value)'") else {
                return nil
            }
            return ClientNetwork(name: entry.name.value, prefixes: entry.prefixes.map(\.value),
                                 location: location, load: entry.load ?? 0)
        }
    }

    /// The point a location reference names; `nil` when it names no region (reported) or a region
    /// whose own file has problems (already reported there).
    private func resolve(_ reference: Located<LocationReference>, locations: [RegionName: GeoPoint],
                         known: Set<RegionName>, what: String) -> NamedLocation? {
        switch reference.value {
        case .point(let point):
            return NamedLocation(point: point)
        case .region(let region):
            guard let point = locations[region] else {
                if known.contains(region) { return nil }
                log.report("\(what): location '\(region)' is not a region"
                           + suggestion(region.rawValue, among: known.map(\.rawValue)), at: reference.location)
                return nil
            }
            return NamedLocation(region: region, point: point)
        }
    }

    private func suggestion(_ word: String, among candidates: [String]) -> String {
        closest(to: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }
}
