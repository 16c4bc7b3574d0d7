/// Checks `records:` against the rest of the zone and builds its record sets: no owner that is a
/// service's (or another name Meridian answers itself), nothing beside a CNAME, delegations with
/// only their glue below them, and glue for every name server inside the zone.
struct StaticRecordsCheck {
    let zone: DomainName
    let entries: [GlobalFile.RecordEntry]
    /// The names Meridian answers itself, each with what it is ("service 'api'"), from the services
    /// and directors that loaded.
    let reserved: [DomainName: String]
    let log: ProblemLog

    init(zone: DomainName, entries: [GlobalFile.RecordEntry], services: [Service], directors: [DirectorName], log: ProblemLog) {
        self.zone = zone
        self.entries = entries
        var reserved: [DomainName: String] = [:]
        for service in services {
            reserved[service.fqdn] = "service '\(service.name)'"
            if let explain = service.fqdn.prepending("_explain") { reserved[explain] = "service '\(service.name)''s _explain name" }
        }
        for director in directors {
            if let name = zone.prepending("ns-\(director)") { reserved[name] = "director \(director)'s name server" }
        }
        self.reserved = reserved
        self.log = log
    }

    /// The record sets, by owner and type; problems are logged.
    func recordSets() -> [StaticRecordSet] {
        var byOwner: [DomainName: [StaticRecordType: GlobalFile.RecordEntry]] = [:]
        for entry in entries {
            if let what = reserved[entry.owner.value] {
                log.report("records: \(entry.owner.value.text) is \(what), which Meridian answers itself", at: entry.owner.location)
                continue
            }
            if let first = byOwner[entry.owner.value]?[entry.type] {
                log.report("records: \(entry.type.rawValue) \(entry.owner.value.text) is given twice (also at \(first.typeLocation))",
                           at: entry.typeLocation)
                continue
            }
            byOwner[entry.owner.value, default: [:]][entry.type] = entry
        }
        for (owner, types) in byOwner { checkOwner(owner, types) }
        checkDelegations(byOwner)
        checkTargets(byOwner)
        return byOwner.keys.sorted().flatMap { owner in
            byOwner[owner]!.values.sorted { $0.type < $1.type }.map {
                StaticRecordSet(owner: owner, type: $0.type, ttl: $0.ttl, values: $0.values.map(\.value))
            }
        }
    }

    private func checkOwner(_ owner: DomainName, _ types: [StaticRecordType: GlobalFile.RecordEntry]) {
        if let cname = types[.cname] {
            if owner == zone {
                log.report("records: the apex cannot be a CNAME (it has SOA and NS records)", at: cname.typeLocation)
            } else if types.count > 1 {
                let others = types.keys.filter { $0 != .cname }.sorted().map(\.rawValue).joined(separator: ", ")
                log.report("records: \(owner.text) is a CNAME, so it can have no other records (it also has \(others))",
                           at: cname.typeLocation)
            }
            if cname.values.count > 1 { log.report("records: a CNAME has exactly one target", at: cname.typeLocation) }
        }
        if let ns = types[.ns] {
            if owner == zone {
                log.report("records: the apex's NS records are the directors' own; NS here delegates a name below the apex",
                           at: ns.typeLocation)
            } else if let other = types.keys.first(where: { $0 != .ns && $0 != .cname }) {
                log.report("records: \(owner.text) is delegated (NS), so this zone has no \(other.rawValue) there", at: ns.typeLocation)
            }
        }
    }

    /// Below a delegation there is only glue: addresses of the delegation's own name servers.
    private func checkDelegations(_ byOwner: [DomainName: [StaticRecordType: GlobalFile.RecordEntry]]) {
        let cuts = byOwner.filter { $0.key != zone && $0.value[.ns] != nil }
        for (cut, types) in cuts {
            for (owner, ownerTypes) in byOwner where owner != cut && owner.isWithin(cut) {
                let targets = Set(types[.ns]!.values.compactMap(\.value.target))
                for entry in ownerTypes.values {
                    let isGlue = (entry.type == .a || entry.type == .aaaa) && targets.contains(owner)
                    if !isGlue {
                        log.report("records: \(owner.text) is below the delegation of \(cut.text): only the addresses of its "
                                   + "name servers (glue) can be given there", at: entry.typeLocation)
                    }
                }
            }
            for (name, what) in reserved where name.isWithin(cut) {
                log.report("records: the delegation of \(cut.text) would hide \(what) (\(name.text))", at: types[.ns]!.typeLocation)
            }
        }
    }

    /// Name servers inside the zone need addresses here; MX and SRV targets must not be aliases.
    private func checkTargets(_ byOwner: [DomainName: [StaticRecordType: GlobalFile.RecordEntry]]) {
        for (_, types) in byOwner {
            for entry in types.values {
                for value in entry.values {
                    guard let target = value.value.target, target.isWithin(zone) else { continue }
                    let targetTypes = byOwner[target] ?? [:]
                    switch entry.type {
                    case .ns:
                        let hasAddress = targetTypes[.a] != nil || targetTypes[.aaaa] != nil || reserved[target] != nil
                        if !hasAddress {
                            log.report("records: the name server \(target.text) is inside the zone, so it needs glue: "
                                       + "give it A or AAAA records", at: value.location)
                        }
                    case .mx, .srv:
                        if targetTypes[.cname] != nil {
                            log.report("records: the \(entry.type.rawValue) target \(target.text) is a CNAME; it must name a host (RFC 2181)",
                                       at: value.location)
                        }
                    case .cname:
                        if isLoop(from: entry.owner.value, byOwner) {
                            log.report("records: the CNAME chain from \(entry.owner.value.text) comes back to itself", at: value.location)
                        }
                    default:
                        break
                    }
                }
            }
        }
    }

    private func isLoop(from start: DomainName, _ byOwner: [DomainName: [StaticRecordType: GlobalFile.RecordEntry]]) -> Bool {
        var seen: Set<DomainName> = [start]
        var current = start
        while let next = byOwner[current]?[.cname]?.values.first?.value.target {
            if !seen.insert(next).inserted { return next == start }
            current = next
        }
        return false
    }
}
