import MeridianCore

/// The canonical form DNSSEC signs (RFC 4034 section 6): names uncompressed and lower-cased,
/// records of a set in the order of their data, duplicates once.
enum CanonicalRecords {
    /// The canonical data of `data`.
    static func rdata(_ data: RecordData) -> [UInt8] {
        var bytes: [UInt8] = []
        switch data {
        case .a(let address), .aaaa(let address):
            switch address {
            case .v4(let bits): bytes.append(uint32: bits)
            case .v6(let bits):
                for shift in stride(from: 96, through: 0, by: -32) { bytes.append(uint32: UInt32(truncatingIfNeeded: bits >> shift)) }
            }
        case .ns(let name), .cname(let name):
            bytes = name.key
        case .soa(let soa):
            bytes = soa.primary.key + soa.mailbox.key
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { bytes.append(uint32: value) }
        case .txt(let strings):
            for string in strings {
                let part = string.prefix(255)
                bytes.append(UInt8(truncatingIfNeeded: part.count))
                bytes += part
            }
        case .other(_, let raw):
            bytes = raw
        }
        return bytes
    }

    /// The signed-data part for a set's records: each as owner, type, class, `ttl` (the original
    /// TTL), length and data, sorted by data; `nil` when a record's data is too long for its length.
    static func rrset(_ records: [ResourceRecord], ttl: UInt32) -> [UInt8]? {
        guard let first = records.first else { return [] }
        let owner = first.name.key
        let datas = Set(records.map { rdata($0.data) }).sorted { $0.lexicographicallyPrecedes($1) }
        var bytes: [UInt8] = []
        for data in datas {
            guard let length = UInt16(exactly: data.count) else { return nil }
            bytes += owner
            bytes.append(uint16: first.type.rawValue)
            bytes.append(uint16: first.recordClass.rawValue)
            bytes.append(uint32: ttl)
            bytes.append(uint16: length)
            bytes += data
        }
        return bytes
    }

    /// The number of labels of `name` as RRSIG counts them (a leading wildcard label not counted).
    static func labelCount(_ name: DNSName) -> UInt8 {
        let count = name.labels.first == [UInt8(ascii: "*")] ? name.labels.count - 1 : name.labels.count
        return UInt8(truncatingIfNeeded: count)
    }

    /// An NSEC type bitmap (RFC 4034 section 4.1.2): a window per high byte in use, each with as
    /// many bitmap bytes as its highest type needs.
    static func typeBitmap(_ types: Set<RecordType>) -> [UInt8] {
        var windows: [UInt8: [UInt8]] = [:]
        for type in types {
            let window = UInt8(type.rawValue >> 8), low = Int(type.rawValue & 0xFF)
            var bits = windows[window] ?? []
            if bits.count <= low / 8 { bits += [UInt8](repeating: 0, count: low / 8 + 1 - bits.count) }
            bits[low / 8] |= 0x80 >> UInt8(low % 8)
            windows[window] = bits
        }
        return windows.keys.sorted().flatMap { window in [window, UInt8(windows[window]!.count)] + windows[window]! }
    }
}
