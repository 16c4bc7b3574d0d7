import Crypto
import MeridianCore

/// A DNSSEC signing key of the zone: the private key, its DNSKEY data and key tag, and the times
/// of its life (BIND's timing metadata): published in the DNSKEY set from `publish` until
/// `delete`, signing from `activate` until `inactive`.
public struct ZoneKey: Sendable {
    /// The DNSSEC algorithm (RFC 8624's recommended two).
    public enum Algorithm: UInt8, Sendable, CaseIterable {
        case ecdsaP256SHA256 = 13
        case ed25519 = 15

        /// The name `dnssec keygen --algorithm` takes.
        public var name: String { self == .ecdsaP256SHA256 ? "ecdsap256sha256" : "ed25519" }
        /// BIND's mnemonic, as its key files write it.
        public var mnemonic: String { self == .ecdsaP256SHA256 ? "ECDSAP256SHA256" : "ED25519" }

        public init?(name: String) {
            guard let found = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = found
        }
    }

    enum PrivateKey: @unchecked Sendable {
        case p256(P256.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
    }

    public let algorithm: Algorithm
    /// 257: a key-signing key (the SEP bit), used here as the one combined key; 256: a zone-signing key.
    public let flags: UInt16
    let privateKey: PrivateKey
    /// The public key as DNSKEY carries it (RFC 6605: x then y for P-256; RFC 8080 for Ed25519).
    public let publicKey: [UInt8]
    public var created: Timestamp
    public var publish: Timestamp?
    public var activate: Timestamp?
    public var inactive: Timestamp?
    public var delete: Timestamp?

    /// A new key of `algorithm`, published and active from `now`.
    public static func generate(_ algorithm: Algorithm, flags: UInt16 = 257, now: Timestamp) -> ZoneKey {
        let key: PrivateKey = algorithm == .ecdsaP256SHA256 ? .p256(P256.Signing.PrivateKey()) : .ed25519(Curve25519.Signing.PrivateKey())
        return ZoneKey(algorithm: algorithm, flags: flags, privateKey: key, created: now, publish: now, activate: now)
    }

    /// The key from its raw private bytes (a P-256 scalar or an Ed25519 seed, 32 bytes); `nil` when
    /// they are not a valid key of `algorithm`.
    public init?(algorithm: Algorithm, flags: UInt16, privateKeyBytes: [UInt8], created: Timestamp) {
        let key: PrivateKey
        switch algorithm {
        case .ecdsaP256SHA256:
            guard let parsed = try? P256.Signing.PrivateKey(rawRepresentation: privateKeyBytes) else { return nil }
            key = .p256(parsed)
        case .ed25519:
            guard let parsed = try? Curve25519.Signing.PrivateKey(rawRepresentation: privateKeyBytes) else { return nil }
            key = .ed25519(parsed)
        }
        self.init(algorithm: algorithm, flags: flags, privateKey: key, created: created, publish: nil, activate: nil)
    }

    private init(algorithm: Algorithm, flags: UInt16, privateKey: PrivateKey, created: Timestamp, publish: Timestamp?,
                 activate: Timestamp?) {
        self.algorithm = algorithm
        self.flags = flags
        self.privateKey = privateKey
        switch privateKey {
        case .p256(let key): publicKey = Array(key.publicKey.rawRepresentation)
        case .ed25519(let key): publicKey = Array(key.publicKey.rawRepresentation)
        }
        self.created = created
        self.publish = publish
        self.activate = activate
    }

    /// The raw private key bytes, for the key file.
    public var privateKeyBytes: [UInt8] {
        switch privateKey {
        case .p256(let key): Array(key.rawRepresentation)
        case .ed25519(let key): Array(key.rawRepresentation)
        }
    }

    /// DNSKEY's data: flags, protocol 3, algorithm, public key (RFC 4034 section 2.1).
    public var dnskeyData: [UInt8] {
        [UInt8(flags >> 8), UInt8(flags & 0xFF), 3, algorithm.rawValue] + publicKey
    }

    /// The key tag (RFC 4034 appendix B).
    public var keyTag: UInt16 {
        var sum: UInt32 = 0
        for (index, byte) in dnskeyData.enumerated() {
            sum += index & 1 == 0 ? UInt32(byte) << 8 : UInt32(byte)
        }
        sum += (sum >> 16) & 0xFFFF
        return UInt16(truncatingIfNeeded: sum)
    }

    /// DS's data for the parent zone: key tag, algorithm, digest type 2 (SHA-256) and the digest
    /// of the owner's wire form and the DNSKEY data (RFC 4509).
    public func dsData(owner: DNSName) -> [UInt8] {
        let digest = SHA256.hash(data: owner.key + dnskeyData)
        return [UInt8(keyTag >> 8), UInt8(keyTag & 0xFF), algorithm.rawValue, 2] + Array(digest)
    }

    /// The DS digest in hexadecimal, as DS records and trust anchors write it.
    public func dsDigestHex(owner: DNSName) -> String {
        dsData(owner: owner).dropFirst(4).map { String(format: "%02X", $0) }.joined()
    }

    /// Signs `data` (an RRSIG's signed data); ECDSA signatures are r then s, 64 bytes (RFC 6605).
    func sign(_ data: [UInt8]) -> [UInt8] {
        switch privateKey {
        case .p256(let key): return (try? Array(key.signature(for: data).rawRepresentation)) ?? []
        case .ed25519(let key): return (try? Array(key.signature(for: data))) ?? []
        }
    }

    /// Whether the key is in the DNSKEY set at `now`.
    public func isPublished(at now: Timestamp) -> Bool {
        (publish ?? activate ?? created) <= now && delete.map { now < $0 } ?? true
    }

    /// Whether the key signs the zone's record sets at `now`.
    public func isActive(at now: Timestamp) -> Bool {
        activate.map { $0 <= now } ?? false && inactive.map { now < $0 } ?? true && isPublished(at: now)
    }

    /// Whether CDS and CDNSKEY (RFC 7344) name the key at `now`, so that the parent's DS should:
    /// published, with the SEP bit, and not yet retired.
    public func isSignalled(at now: Timestamp) -> Bool {
        isPublished(at: now) && flags & 1 == 1 && !(inactive.map { $0 <= now } ?? false)
    }

    /// Whether the key still signs the DNSKEY set at `now`: once active, until it is deleted, so
    /// that a parent's DS for it keeps leading to the set while a roll goes on.
    public func signsKeys(at now: Timestamp) -> Bool {
        activate.map { $0 <= now } ?? false && isPublished(at: now) && flags & 1 == 1
    }
}
