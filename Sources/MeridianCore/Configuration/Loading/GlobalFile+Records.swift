/// `records:` in `global.yaml`: owner names (relative to the zone, `@` for the apex, or fully
/// qualified with a final dot) to record types, each a value, a list of values, or
/// `{ttl: DURATION, values: …}`.
extension GlobalFile {
    struct RecordEntry {
        var owner: Located<DomainName>
        var type: StaticRecordType
        var typeLocation: SourceLocation
        var ttl: UInt32
        var values: [Located<StaticRecordData>]
    }

    static func readRecords(_ value: YAMLValue, zone: DomainName?) -> [RecordEntry] {
        guard var owners = MappingReader(value) else { return [] }
        var entries: [RecordEntry] = []
        for (ownerKey, types) in owners.namedEntries() {
            guard let zone else { continue }  // the missing zone is reported already
            guard let owner = StaticRecordData.resolve(ownerKey.value, in: zone) else {
                value.log.report("records: '\(ownerKey.value)' is not a valid owner name (letters, digits, '-' and '_', "
                                 + "relative to the zone or ending with a dot)", at: ownerKey.location)
                continue
            }
            guard owner.isWithin(zone) else {
                value.log.report("records: \(owner.text) is outside the zone \(zone.text)", at: ownerKey.location)
                continue
            }
            guard var typeReader = MappingReader(types) else { continue }
            for (typeKey, field) in typeReader.namedEntries() {
                guard let type = StaticRecordType(rawValue: typeKey.value.uppercased()) else {
                    let known = StaticRecordType.allCases.map(\.rawValue).joined(separator: ", ")
                    field.log.report("\(types.path): '\(typeKey.value)' is not a record type records: takes (\(known))",
                                     at: typeKey.location)
                    continue
                }
                if let entry = readRecordSet(field, owner: Located(value: owner, location: ownerKey.location),
                                             type: type, typeLocation: typeKey.location, zone: zone) {
                    entries.append(entry)
                }
            }
        }
        return entries
    }

    private static func readRecordSet(_ field: YAMLValue, owner: Located<DomainName>, type: StaticRecordType,
                                      typeLocation: SourceLocation, zone: DomainName) -> RecordEntry? {
        var ttl = StaticRecordSet.defaultTTL
        var valuesField = field
        if case .mapping = field.node {
            guard var reader = MappingReader(field) else { return nil }
            if let ttlField = reader.optional("ttl"), let duration = ttlField.duration() {
                if duration.seconds == duration.seconds.rounded(), duration.seconds <= Double(StaticRecordSet.maximumTTL) {
                    ttl = UInt32(duration.seconds)
                } else {
                    ttlField.report("a TTL must be whole seconds, at most 1w")
                }
            }
            let values = reader.required("values")
            reader.finish()
            guard let values else { return nil }
            valuesField = values
        }
        guard let items = valuesField.list() else { return nil }
        if items.isEmpty { valuesField.report("at least one value is needed") }
        var values: [Located<StaticRecordData>] = []
        var seen: Set<StaticRecordData> = []
        for item in items {
            guard let text = item.string() else { continue }
            do {
                let data = try StaticRecordData.parse(text, as: type, zone: zone)
                if !seen.insert(data).inserted { item.report("'\(text)' is given twice") }
                values.append(item.located(data))
            } catch {
                item.report(error.description)
            }
        }
        guard values.count == items.count, !values.isEmpty else { return nil }
        return RecordEntry(owner: owner, type: type, typeLocation: typeLocation, ttl: ttl, values: values)
    }
}
