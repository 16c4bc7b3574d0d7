import Crypto
import Foundation
import MeridianCore
import SwiftASN1
import X509

/// The demo's throw-away certificate authority (ECDSA P-256, valid 30 days) and the certificates it
/// issues, written as PEM files to a folder: one for the HTTPS redirect listeners (the services'
/// redirect hosts) and one for each director's API (its address, and `localhost`), good for
/// server and client authentication both.
struct DemoCertificates {
    let folder: String
    private let authorityKey = P256.Signing.PrivateKey()
    private let authorityName: DistinguishedName
    private let authority: Certificate
    private let now = Date()

    /// The authority's certificate, for clients to verify against (`curl --cacert`, `ctl --ca-file`).
    var caFile: String { folder + "/ca.pem" }

    /// Makes the authority and writes its certificate.
    init(folder: String) throws {
        self.folder = folder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        authorityName = try DistinguishedName { CommonName("Meridian demo CA (throw-away)") }
        authority = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(authorityKey.publicKey),
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(30 * 86_400),
            issuer: authorityName, subject: authorityName,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(authorityKey))
        try write(try authority.serializeAsPEM().pemString, to: caFile)
    }

    /// Issues a certificate named `label` for `names` (DNS names and IP addresses) and writes its
    /// PEM files (the key readable by the owner only).
    func issue(_ label: String, names: [String]) throws -> TLSSettings.CertificateFiles {
        let key = P256.Signing.PrivateKey()
        let alternatives = names.map { name -> GeneralName in
            switch IPAddress(name) {
            case .v4(let bits)?: return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: bits.bigEndian, Array.init))))
            case .v6(let bits)?: return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: bits.bigEndian, Array.init))))
            case nil: return .dnsName(name)
            }
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(30 * 86_400),
            issuer: authorityName, subject: try DistinguishedName { CommonName(names[0]) },
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames(alternatives)
            },
            issuerPrivateKey: .init(authorityKey))
        let files = TLSSettings.CertificateFiles(certificate: "\(folder)/\(label).pem", key: "\(folder)/\(label).key")
        try write(try certificate.serializeAsPEM().pemString, to: files.certificate)
        try write(key.pemRepresentation, to: files.key, mode: 0o600)
        return files
    }

    private func write(_ text: String, to path: String, mode: Int = 0o644) throws {
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }
}
