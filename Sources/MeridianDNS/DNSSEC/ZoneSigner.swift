import MeridianCore
import Synchronization

/// Signs the zone's record sets for one validity window with one set of keys (a new window or key
/// set is a new signer). Signatures are kept by the content they cover, so a record set is signed
/// once per window however many answers carry it. Denials, which differ per query name, are kept
/// apart from the rest: both caches are bounded (each starts afresh when full), so a flood of
/// random names can neither grow memory nor push out the zone's own signatures.
public final class ZoneSigner: Sendable {
    public let apex: DNSName
    /// The validity of every signature made, in seconds since the epoch.
    public let inception: Int64
    public let expiration: Int64
    /// The keys that sign record sets now.
    let signingKeys: [ZoneKey]
    /// The keys that sign the DNSKEY set now (every key with the SEP bit that has been active and
    /// is still published: a roll keeps the parent's DS for the old key leading somewhere).
    let keySigningKeys: [ZoneKey]
    /// The DNSKEY set, CDS and CDNSKEY of the apex.
    public let dnskeyRecords: [ResourceRecord]
    public let cdsRecords: [ResourceRecord]
    public let cdnskeyRecords: [ResourceRecord]
    /// How a name that does not exist is proven so.
    public let denial: DNSSECSettings.Denial
    /// What decides whether this signer is still the one to use: the window and the keys' states.
    public let identity: Identity

    private let cache = Mutex(Cache())

    /// The window's start and the key tags in each role.
    public struct Identity: Hashable, Sendable, CustomStringConvertible {
        public var denial: DNSSECSettings.Denial
        public var windowStart: Int64
        public var signing: [UInt16]
        public var keySigning: [UInt16]
        public var published: [UInt16]
        public var signalled: [UInt16]

        public var description: String {
            "signing \(signing.map(String.init).joined(separator: ",")), keys signed by \(keySigning.map(String.init).joined(separator: ",")), "
                + "published \(published.map(String.init).joined(separator: ","))"
        }
    }

    struct Cache {
        var signatures: [[UInt8]: [ResourceRecord]] = [:]
        var denials: [[UInt8]: [ResourceRecord]] = [:]
        var made: UInt64 = 0
    }

    /// The most record sets whose signatures are kept (the zone's own sets and answers).
    static let cacheLimit = 50_000
    /// The most denials kept (one per query name asked for lately).
    static let denialCacheLimit = 10_000

    /// The signer for `keys` at `now`; `nil` when no key is active.
    public init?(apex: DNSName, keys: [ZoneKey], settings: DNSSECSettings, now: Timestamp, keyTTL: UInt32) {
        let signing = keys.filter { $0.isActive(at: now) }
        guard !signing.isEmpty else { return nil }
        self.apex = apex
        denial = settings.denial
        (inception, expiration) = settings.validityPeriod(at: now)
        signingKeys = signing
        let keySigning = keys.filter { $0.signsKeys(at: now) }
        keySigningKeys = keySigning.isEmpty ? signing : keySigning
        let published = keys.filter { $0.isPublished(at: now) }
        let signalled = published.filter { $0.isSignalled(at: now) }
        dnskeyRecords = published.map { ResourceRecord(name: apex, ttl: keyTTL, data: .other(.dnskey, $0.dnskeyData)) }
        cdnskeyRecords = signalled.map { ResourceRecord(name: apex, ttl: keyTTL, data: .other(.cdnskey, $0.dnskeyData)) }
        cdsRecords = signalled.map { ResourceRecord(name: apex, ttl: keyTTL, data: .other(.cds, $0.dsData(owner: apex))) }
        identity = Identity(denial: settings.denial, windowStart: settings.windowStart(at: now), signing: signing.map(\.keyTag),
                            keySigning: keySigningKeys.map(\.keyTag), published: published.map(\.keyTag),
                            signalled: signalled.map(\.keyTag))
    }

    /// How many signatures this signer has made.
    public var signaturesMade: UInt64 { cache.withLock { $0.made } }

    /// The RRSIG records over `records`, one set (same owner, type, class and TTL): one per
    /// signing key (per key-signing key for the DNSKEY set).
    public func signatures(for records: [ResourceRecord]) -> [ResourceRecord] {
        signatures(for: records, in: \.signatures, limit: Self.cacheLimit)
    }

    private func signatures(for records: [ResourceRecord], in store: WritableKeyPath<Cache, [[UInt8]: [ResourceRecord]]>,
                            limit: Int) -> [ResourceRecord] {
        guard let first = records.first, let covered = CanonicalRecords.rrset(records, ttl: first.ttl) else { return [] }
        if let cached = cache.withLock({ $0[keyPath: store][covered] }) { return cached }
        let keys = first.type == .dnskey ? keySigningKeys : signingKeys
        let signatures = keys.map { key in
            var rdata: [UInt8] = []
            rdata.append(uint16: first.type.rawValue)
            rdata.append(key.algorithm.rawValue)
            rdata.append(CanonicalRecords.labelCount(first.name))
            rdata.append(uint32: first.ttl)
            rdata.append(uint32: UInt32(truncatingIfNeeded: expiration))
            rdata.append(uint32: UInt32(truncatingIfNeeded: inception))
            rdata.append(uint16: key.keyTag)
            rdata += apex.key
            let signature = key.sign(rdata + covered)
            return ResourceRecord(name: first.name, recordClass: first.recordClass, ttl: first.ttl,
                                  data: .other(.rrsig, rdata + signature))
        }
        cache.withLock { cache in
            if cache[keyPath: store].count >= limit { cache[keyPath: store].removeAll(keepingCapacity: true) }
            cache[keyPath: store][covered] = signatures
            cache.made += UInt64(signatures.count)
        }
        return signatures
    }

    /// A compact denial (RFC 9824) at `name`: one NSEC whose next name is `\000.name` (so it covers
    /// nothing but `name` itself) listing `types` with RRSIG and NSEC, and its signatures; none for
    /// a name too long to have a next name (the answer then goes unsigned).
    public func denial(at name: DNSName, types: Set<RecordType>, ttl: UInt32) -> [ResourceRecord] {
        guard let next = DNSName(labels: [[0]] + name.labels) else { return [] }
        let nsec = ResourceRecord(name: name, ttl: ttl,
                                  data: .other(.nsec, next.key + CanonicalRecords.typeBitmap(types.union([.rrsig, .nsec]))))
        return [nsec] + signedDenial(nsec)
    }

    /// The signatures of a denial's NSEC, kept in the denials' cache.
    func signedDenial(_ nsec: ResourceRecord) -> [ResourceRecord] {
        signatures(for: [nsec], in: \.denials, limit: Self.denialCacheLimit)
    }
}
