import Crypto
import Foundation
import MeridianCore

extension ConfigurationRelease {
    /// `files` as release `serial`, made by `signer` at `now` on behalf of `author`, signed with `key`.
    static func signed(_ files: [File], serial: UInt64, author: String, signer: DirectorName, at now: Timestamp,
                       key: DirectorSigningKey) -> ConfigurationRelease {
        let fingerprint = ConfigurationFingerprint.of(files.map { ConfigurationLoader.SourceFile(name: $0.name, text: $0.text) })
        let announcement = ConfigurationAnnouncement(serial: serial, fingerprint: fingerprint, author: author, madeAt: now, signer: signer)
        let signature = key.signature(for: signedMessage(announcement))
        return ConfigurationRelease(announcement: announcement, files: files, signature: PeerAuthentication.hex(signature))
    }

    /// Whether the signature is right for `key`.
    func isSigned(by key: DirectorKey) -> Bool {
        guard let signature = PeerAuthentication.bytes(hex: signature), signature.count == PeerAuthentication.signatureBytes,
              let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key.bytes) else { return false }
        return publicKey.isValidSignature(signature, for: Self.signedMessage(announcement))
    }

    /// The files of `folder` as a release holds them (base names).
    static func files(of folder: [ConfigurationLoader.SourceFile]) -> [File] {
        folder.map { File(name: ($0.name as NSString).lastPathComponent, text: $0.text) }
    }
}
