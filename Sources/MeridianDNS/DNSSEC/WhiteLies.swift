import MeridianCore

/// NSEC "white lies" (RFC 4470): NSEC records made up per query that cover only the name asked for
/// (and the wildcard of its closest encloser), so that a name which does not exist is proven so
/// without an NSEC chain over the zone and without saying anything about the names that do exist.
enum WhiteLies {
    /// A name just before `name` in canonical order (RFC 4034 section 6.1) such that no name of a
    /// real zone lies between them: the first label with its last byte one lower (never an upper-case
    /// letter, which would sort as lower-case) and padded with 0xFF bytes. `nil` when the label ends
    /// in a zero byte (its predecessor would be the shorter label, which may exist).
    static func predecessor(of name: DNSName) -> DNSName? {
        let labels = name.labels.map { $0.map(\.asciiLowercased) }
        guard var first = labels.first, let last = first.last, last > 0 else { return nil }
        var lowered = last - 1
        if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(lowered) { lowered = UInt8(ascii: "@") }
        first[first.count - 1] = lowered
        let room = 255 - name.wireLength
        first += [UInt8](repeating: 0xFF, count: max(0, min(63 - first.count, room)))
        return DNSName(labels: [first] + labels.dropFirst())
    }

    /// A name just after `name` that is not below it: the first label with a zero byte added (a
    /// name below `name` as the next name would make it an existing ancestor to a validator).
    /// `nil` when the label is already 63 bytes long.
    static func successor(of name: DNSName) -> DNSName? {
        let labels = name.labels.map { $0.map(\.asciiLowercased) }
        guard let first = labels.first, first.count < 63 else { return nil }
        return DNSName(labels: [first + [0]] + labels.dropFirst())
    }

    /// The NSEC covering `name` alone: from just before it to just after it.
    static func covering(_ name: DNSName, ttl: UInt32) -> ResourceRecord? {
        guard let owner = predecessor(of: name), let next = successor(of: name) else { return nil }
        return ResourceRecord(name: owner, ttl: ttl, data: .other(.nsec, next.key + CanonicalRecords.typeBitmap([.rrsig, .nsec])))
    }
}

extension ZoneSigner {
    /// The signed NSECs proving that `name`, below `closestEncloser` (its longest existing
    /// ancestor), does not exist: one covering the next closer name (the ancestor of `name` just
    /// below the encloser, which covers every name below it too), one covering `*.closestEncloser`
    /// (the same one when they coincide); none when either cannot be made.
    public func whiteLies(for name: DNSName, closestEncloser: DNSName, ttl: UInt32) -> [ResourceRecord] {
        guard name.labels.count > closestEncloser.labels.count,
              let nextCloser = DNSName(labels: Array(name.labels.suffix(closestEncloser.labels.count + 1))),
              let wildcard = closestEncloser.prepending("*"), let coveringName = WhiteLies.covering(nextCloser, ttl: ttl),
              let coveringWildcard = WhiteLies.covering(wildcard, ttl: ttl) else { return [] }
        let records = coveringName == coveringWildcard ? [coveringName] : [coveringName, coveringWildcard]
        return records.flatMap { [$0] + signedDenial($0) }
    }
}
