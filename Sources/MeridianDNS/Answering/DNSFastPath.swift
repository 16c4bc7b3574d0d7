import MeridianCore

/// Answers the common query from prebuilt bytes: one IN question, A or AAAA, for a service name,
/// with or without EDNS and client subnet. The answer records are built from the snapshot's
/// `DecisionGrid`, once per (service, address family, client place, lane), whenever the steering
/// snapshot changes; a query only patches its ID, flags and question (copied, so its letter case
/// is kept) and the client subnet's scope.
/// Anything else (other names and types, malformed or unusual queries, answers that do not fit)
/// gets `nil`, and `DNSResponder` answers it; both give the same answers.
public struct DNSFastPath: Sendable {
    /// What metrics count about an answer.
    public struct Answer: Sendable {
        public var length: Int
        public var queryType: RecordType
        /// The index in `regionNames` of the region the answer sent the client to, or -1.
        public var regionIndex: Int
        public var usedClientSubnet: Bool
    }

    /// The configuration's regions, which `Answer.regionIndex` indexes.
    public let regionNames: [RegionName]

    struct Template: Sendable {
        var answerCount: UInt16
        var authorityCount: UInt16
        var records: [UInt8]
        var regionIndex: Int
        /// The network's clients split between sites by lane, so the answer holds for the client's
        /// own subnet only: the client subnet's scope is its source prefix, not the network's.
        var split = false
        /// False when the answer cannot be prebuilt (more records than a count can say, say): the
        /// responder answers such queries.
        var isUsable = true

        static func unusable(regionIndex: Int) -> Template {
            Template(answerCount: 0, authorityCount: 0, records: [], regionIndex: regionIndex, isUsable: false)
        }
    }

    let serviceKeys: [[UInt8]]
    let templates: [Template]
    /// The same answers signed, for queries with the DO bit (empty when the zone is not signed).
    let signedTemplates: [Template]
    let places: PlaceBuckets

    public init(responder: DNSResponder, snapshot: SteeringSnapshot) {
        let configuration = snapshot.assessment.configuration
        let zone = responder.zone
        let services = configuration.services
        serviceKeys = services.map { DNSName($0.fqdn.text)?.key ?? [] }
        let regionNames = configuration.regions.map(\.name)
        self.regionNames = regionNames

        let grid = snapshot.grid
        places = grid.places

        var templates: [Template] = []
        var signedTemplates: [Template] = []
        let count = services.count * DecisionGrid.families.count * places.count * ClientLanes.count
        templates.reserveCapacity(count)
        signedTemplates.reserveCapacity(responder.signer == nil ? 0 : count)
        for (index, service) in services.enumerated() {
            guard let name = DNSName(service.fqdn.text) else { continue }
            for family in DecisionGrid.families {
                // Many lanes give the same answer, and more the same address set (rotated): each
                // answer is built once, and each set's signatures made once.
                var signatures: [SignedSet: [(owner: UInt16, record: ResourceRecord)]] = [:]
                var built: [Answered: (plain: Template, signed: Template?)] = [:]
                for bucket in 0..<places.count {
                    for lane in 0..<ClientLanes.count {
                        let decision = grid.decision(service: index, bucket: bucket, lane: lane, family: family)
                        let regionIndex = decision.chosenRegion.flatMap(regionNames.firstIndex) ?? -1
                        let answered = Answered(addresses: decision.addresses, ttl: decision.ttl, regionIndex: regionIndex,
                                                split: decision.shares.count > 1)
                        let pair = built[answered] ?? {
                            let template = Self.template(decision, family: family, ttl: decision.ttl, zone: zone,
                                                         qnameLength: name.wireLength, regionIndex: regionIndex)
                            guard let signer = responder.signer else { return (template, nil) }
                            let set = SignedSet(addresses: Set(decision.addresses), ttl: decision.ttl)
                            let extra = signatures[set] ?? Self.signatures(decision, name: name, family: family, zone: zone, signer: signer)
                            signatures[set] = extra
                            return (template, Self.signed(template, extra: extra, nodata: decision.addresses.isEmpty))
                        }()
                        built[answered] = pair
                        templates.append(pair.plain)
                        if let signed = pair.signed { signedTemplates.append(signed) }
                    }
                }
            }
        }
        self.templates = templates
        self.signedTemplates = signedTemplates
    }

    /// What an answer's bytes depend on: its addresses in order, TTL, region and whether the
    /// place's clients split between sites.
    private struct Answered: Hashable {
        var addresses: [IPAddress]
        var ttl: UInt32
        var regionIndex: Int
        var split: Bool
    }

    /// An answer's address set and TTL: what its signatures depend on (an RRSIG covers the
    /// canonical, sorted RRset, so every rotation of one set has the same).
    private struct SignedSet: Hashable {
        var addresses: Set<IPAddress>
        var ttl: UInt32
    }

    /// The signatures of `decision`'s answer: an RRSIG of the addresses, or for NODATA the SOA's
    /// RRSIG and the compact denial at the name (its NSEC and RRSIG), each with the pointer its
    /// owner is written as (the question's name, or the apex within it for the SOA's signature).
    private static func signatures(_ decision: Decision, name: DNSName, family: AddressFamily, zone: AuthoritativeZone,
                                   signer: ZoneSigner) -> [(owner: UInt16, record: ResourceRecord)] {
        let soa = zone.negativeSOA
        let apexPointer = UInt16(0xC000 | (12 + name.wireLength - zone.apex.wireLength))
        if decision.addresses.isEmpty {
            let denied: RecordType = family == .v4 ? .a : .aaaa
            let denial = signer.denial(at: name, types: Set([RecordType.a, .aaaa]).subtracting([denied]), ttl: soa.ttl)
            return signer.signatures(for: [soa]).map { (apexPointer, $0) } + denial.map { (0xC00C, $0) }
        }
        let records = decision.addresses.map { ResourceRecord(name: name, ttl: decision.ttl, data: family == .v4 ? .a($0) : .aaaa($0)) }
        return signer.signatures(for: records).map { (0xC00C, $0) }
    }

    /// `template` with the signatures `extra` after its records (in the authority section for
    /// `nodata`, else the answer section).
    private static func signed(_ template: Template, extra: [(owner: UInt16, record: ResourceRecord)], nodata: Bool) -> Template {
        guard template.isUsable else { return template }
        var signed = template
        for (owner, record) in extra {
            guard case .other(let type, let data) = record.data, let length = UInt16(exactly: data.count) else { return .unusable(regionIndex: template.regionIndex) }
            signed.records.append(uint16: owner)
            signed.records.append(uint16: type.rawValue)
            signed.records.append(uint16: RecordClass.internet.rawValue)
            signed.records.append(uint32: record.ttl)
            signed.records.append(uint16: length)
            signed.records += data
        }
        guard let added = UInt16(exactly: extra.count) else { return .unusable(regionIndex: template.regionIndex) }
        if nodata {
            signed.authorityCount += added
        } else {
            guard let answers = UInt16(exactly: Int(signed.answerCount) + extra.count) else { return .unusable(regionIndex: template.regionIndex) }
            signed.answerCount = answers
        }
        return signed
    }

    private static func template(_ decision: Decision, family: AddressFamily, ttl: UInt32, zone: AuthoritativeZone,
                                 qnameLength: Int, regionIndex: Int) -> Template {
        var bytes: [UInt8] = []
        for address in decision.addresses {
            bytes += [0xC0, 0x0C]
            switch address {
            case .v4(let bits):
                bytes.append(uint16: RecordType.a.rawValue)
                bytes.append(uint16: 1)
                bytes.append(uint32: ttl)
                bytes.append(uint16: 4)
                bytes.append(uint32: bits)
            case .v6(let bits):
                bytes.append(uint16: RecordType.aaaa.rawValue)
                bytes.append(uint16: 1)
                bytes.append(uint32: ttl)
                bytes.append(uint16: 16)
                bytes.append(uint32: UInt32(truncatingIfNeeded: bits >> 96))
                bytes.append(uint32: UInt32(truncatingIfNeeded: bits >> 64))
                bytes.append(uint32: UInt32(truncatingIfNeeded: bits >> 32))
                bytes.append(uint32: UInt32(truncatingIfNeeded: bits))
            }
        }
        guard decision.addresses.isEmpty else {
            guard let count = UInt16(exactly: decision.addresses.count) else { return .unusable(regionIndex: regionIndex) }
            return Template(answerCount: count, authorityCount: 0, records: bytes, regionIndex: regionIndex,
                            split: decision.shares.count > 1)
        }
        // NODATA: the SOA, its owner (the apex) pointing into the question's name.
        let soaRecord = zone.negativeSOA
        let apexOffset = 12 + qnameLength - zone.apex.wireLength
        guard case .soa(let soa) = soaRecord.data, (12..<0x4000).contains(apexOffset) else {
            return .unusable(regionIndex: regionIndex)
        }
        bytes.append(uint16: 0xC000 | UInt16(truncatingIfNeeded: apexOffset))
        bytes.append(uint16: RecordType.soa.rawValue)
        bytes.append(uint16: 1)
        bytes.append(uint32: soaRecord.ttl)
        var rdata = wire(soa.primary) + wire(soa.mailbox)
        for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { rdata.append(uint32: value) }
        // Two names of at most 255 bytes and five numbers: always fits the 16-bit length.
        bytes.append(uint16: UInt16(truncatingIfNeeded: rdata.count))
        bytes += rdata
        return Template(answerCount: 0, authorityCount: 1, records: bytes, regionIndex: regionIndex,
                        split: decision.shares.count > 1)
    }

    private static func wire(_ name: DNSName) -> [UInt8] {
        name.labels.flatMap { [UInt8(truncatingIfNeeded: $0.count)] + $0 } + [0]
    }
}

extension [UInt8] {
    mutating func append(uint16 value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func append(uint32 value: UInt32) {
        append(uint16: UInt16(truncatingIfNeeded: value >> 16))
        append(uint16: UInt16(truncatingIfNeeded: value))
    }
}
