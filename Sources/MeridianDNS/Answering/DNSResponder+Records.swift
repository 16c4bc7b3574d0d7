import MeridianCore

extension DNSResponder {
    /// The longest CNAME chain followed inside the zone.
    static let maximumAliasSteps = 8

    /// The answer at a name with static records: the set of the asked type; for ANY, one set (RFC
    /// 8482); or the CNAME, followed inside the zone through static names and services for at most
    /// `maximumAliasSteps` steps. `region` is where a steered name at the chain's end sent the client.
    func staticAnswer(_ own: [RecordType: [ResourceRecord]], to question: Question, query: DNSMessage, client: IPAddress,
                      snapshot: SteeringSnapshot) -> (records: [ResourceRecord], region: RegionName?) {
        if question.type == .any {
            return (own.min { $0.key.rawValue < $1.key.rawValue }?.value ?? [], nil)
        }
        if let set = own[question.type] { return (set, nil) }
        guard var alias = own[.cname]?.first else { return ([], nil) }
        var records = [alias]
        for _ in 1..<Self.maximumAliasSteps {
            guard case .cname(let target) = alias.data, target.isWithin(zone.apex) else { break }
            switch zone.kind(of: target) {
            case .records(let next):
                if let set = next[question.type] { return (records + set, nil) }
                guard let step = next[.cname]?.first, !records.contains(step) else { return (records, nil) }
                records.append(step)
                alias = step
                continue
            case .service(let service) where question.type == .a || question.type == .aaaa:
                let family: AddressFamily = question.type == .aaaa ? .v6 : .v4
                let decision = decide(service, query: query, client: client, family: family, snapshot: snapshot)
                let addresses = decision.addresses.map {
                    ResourceRecord(name: target, ttl: decision.ttl, data: family == .v4 ? .a($0) : .aaaa($0))
                }
                return (records + addresses, decision.chosenRegion)
            case .apex:
                return (records + (zone.apexRecords[question.type] ?? []), nil)
            default:
                break
            }
            break
        }
        return (records, nil)
    }
}
