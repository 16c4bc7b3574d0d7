import MeridianCore

extension StaticRecordSet {
    /// The record set as resource records. MX, SRV and CAA data are written out here, names in full
    /// and lower-cased: the form DNSSEC signs (RFC 4034 section 6.2), and SRV's target must not be
    /// compressed anyway (RFC 2782).
    var resourceRecords: [ResourceRecord] {
        guard let name = DNSName(owner.text) else { return [] }
        return values.map { ResourceRecord(name: name, ttl: ttl, data: $0.recordData) }
    }

    var recordType: RecordType { type.recordType }
}

extension StaticRecordType {
    var recordType: RecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .cname: .cname
        case .txt: .txt
        case .mx: .mx
        case .srv: .srv
        case .caa: .caa
        case .ns: .ns
        }
    }
}

extension StaticRecordData {
    var recordData: RecordData {
        switch self {
        case .a(let address): return .a(address)
        case .aaaa(let address): return .aaaa(address)
        case .cname(let target): return .cname(DNSName(target.text)!)
        case .ns(let target): return .ns(DNSName(target.text)!)
        case .txt(let text): return .text([text])
        case .mx(let preference, let exchange):
            var bytes: [UInt8] = []
            bytes.append(uint16: preference)
            return .other(.mx, bytes + DNSName(exchange.text)!.key)
        case .srv(let priority, let weight, let port, let target):
            var bytes: [UInt8] = []
            bytes.append(uint16: priority)
            bytes.append(uint16: weight)
            bytes.append(uint16: port)
            return .other(.srv, bytes + DNSName(target.text)!.key)
        case .caa(let flags, let tag, let value):
            return .other(.caa, [flags, UInt8(tag.utf8.count)] + Array(tag.utf8) + Array(value.utf8))
        }
    }
}
