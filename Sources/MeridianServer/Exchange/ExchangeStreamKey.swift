import Crypto
import Foundation
import MeridianCore

/// The key one peer stream's records are authenticated with: HMAC-SHA-256, cut to 16 bytes, under
/// a key that only the stream's two directors can derive. It is HKDF-SHA-256 of their X25519
/// agreement (`DirectorKeyAgreement`: each side's own private key with the other's public key, so
/// both get the same secret), salted with the stream's sender, receiver and id, so a record counts
/// only on the stream it was made for, in its direction. The stream itself is opened with the
/// sender's Ed25519 signature (`PeerAuthentication`); its records then carry a 16-byte tag in
/// place of a 64-byte signature, and cost a hash in place of a curve operation.
struct ExchangeStreamKey: Sendable {
    /// A tag's length.
    static let tagLength = 16

    /// The derived key's bytes (swift-crypto's keys are not `Sendable`; one is made from them to tag).
    private let keyBytes: [UInt8]

    /// The key of `stream` for a director holding `own` whose peer on the stream has the public key
    /// `peer`; `nil` when `peer` has no X25519 form.
    init?(for stream: ExchangeRecord.Stream, own: DirectorSigningKey, peer: DirectorKey) {
        guard let peerKey = peer.agreementKey,
              let secret = try? own.agreementKey.sharedSecretFromKeyAgreement(with: peerKey) else { return nil }
        let salt = Data("meridian-exchange-v3\n\(stream.sender)\n\(stream.receiver)\n\(stream.id)\n".utf8)
        keyBytes = secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: salt, sharedInfo: Data("records".utf8), outputByteCount: 32)
            .withUnsafeBytes { Array($0) }
    }

    /// The tag of the record numbered `number` that carries `frame`.
    func tag(number: UInt64, frame: [UInt8]) -> [UInt8] {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: keyBytes))
        var writer = ExchangeWriter(reservingCapacity: 10)
        writer.varint(number)
        mac.update(data: writer.bytes)
        mac.update(data: frame)
        return Array(mac.finalize().prefix(Self.tagLength))
    }

    /// Whether `tag` is this key's tag of the record, compared in constant time.
    func isValid(_ tag: some Collection<UInt8>, number: UInt64, frame: [UInt8]) -> Bool {
        let expected = self.tag(number: number, frame: frame)
        guard tag.count == expected.count else { return false }
        return zip(tag, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
