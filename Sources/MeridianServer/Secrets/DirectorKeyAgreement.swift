import COpenSSL
import Crypto
import Foundation
import MeridianCore

/// A director's Ed25519 key in its X25519 form, so that two directors agree on a secret from the
/// keys they already have (the peer streams' record keys, `ExchangeStreamKey`) without a handshake:
/// the private scalar is the one Ed25519 itself derives (the first half of SHA-512 of the seed;
/// X25519 clamps it), and the public key is the Edwards point's Montgomery coordinate
/// u = (1 + y) / (1 − y) mod 2^255 − 19, as libsodium's `crypto_sign_ed25519_pk_to_curve25519`.
extension DirectorSigningKey {
    /// The X25519 private key of the same scalar.
    var agreementKey: Curve25519.KeyAgreement.PrivateKey {
        let scalar = SHA512.hash(data: seed).prefix(32)
        // 32 bytes are always an X25519 private key.
        return try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Data(scalar))
    }
}

extension DirectorKey {
    /// The X25519 public key of the same point; `nil` when the key's y is not below the field's
    /// prime or is 1 (no point that signs anything).
    var agreementKey: Curve25519.KeyAgreement.PublicKey? {
        var y = bytes
        y[31] &= 0x7F
        guard let u = Self.montgomery(ofEdwards: y) else { return nil }
        return try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: u)
    }

    /// (1 + y) / (1 − y) mod 2^255 − 19 of a little-endian y, little-endian.
    private static func montgomery(ofEdwards y: [UInt8]) -> [UInt8]? {
        guard let context = BN_CTX_new() else { return nil }
        defer { BN_CTX_free(context) }
        let numbers = (0..<5).compactMap { _ in BN_new() }
        defer { numbers.forEach { BN_free($0) } }
        guard numbers.count == 5 else { return nil }
        let (prime, edwards, numerator, denominator, u) = (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4])
        let bigEndian = Array(y.reversed())
        guard BN_set_word(prime, 1) == 1, BN_lshift(prime, prime, 255) == 1, BN_sub_word(prime, 19) == 1,
              BN_bin2bn(bigEndian, Int32(bigEndian.count), edwards) != nil, BN_cmp(edwards, prime) < 0,
              BN_set_word(numerator, 1) == 1, BN_mod_add(numerator, numerator, edwards, prime, context) == 1,
              BN_set_word(denominator, 1) == 1, BN_mod_sub(denominator, denominator, edwards, prime, context) == 1,
              BN_is_zero(denominator) == 0, BN_mod_inverse(denominator, denominator, prime, context) != nil,
              BN_mod_mul(u, numerator, denominator, prime, context) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        guard BN_bn2binpad(u, &out, 32) == 32 else { return nil }
        return out.reversed()
    }
}
