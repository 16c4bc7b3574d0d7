import Foundation
import MeridianCore

/// A throw-away certificate authority and the certificates it issues, made with the `openssl`
/// command (ECDSA P-256) in a temporary folder, for tests that speak real TLS.
public struct TestCertificates: Sendable {
    /// A certificate's PEM files.
    public struct Pair: Sendable {
        public var certificate: String
        public var key: String
    }

    public let folder: URL
    /// The authority's certificate, for clients to verify against.
    public var caFile: String { folder.appendingPathComponent("ca.pem").path }

    /// Makes a new authority, valid 30 days.
    public static func make() throws -> TestCertificates {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificates = TestCertificates(folder: folder)
        try certificates.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                  "-keyout", folder.appendingPathComponent("ca.key").path, "-out", certificates.caFile,
                                  "-days", "30", "-subj", "/CN=Meridian test CA"])
        return certificates
    }

    /// Issues a certificate named `label` for `names` (its subject alternative names, DNS names or
    /// IP addresses; the first is also its common name), valid `days` from now, for servers and
    /// clients both (a director presents its API certificate to its peers).
    public func issue(_ label: String, names: [String], days: Int = 30) throws -> Pair {
        let pair = Pair(certificate: folder.appendingPathComponent("\(label).pem").path,
                        key: folder.appendingPathComponent("\(label).key").path)
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", pair.key, "-out", pair.certificate, "-days", "\(days)", "-subj", "/CN=\(names[0])",
                     "-addext", "subjectAltName=" + names.map { (IPAddress($0) == nil ? "DNS:" : "IP:") + $0 }.joined(separator: ","),
                     "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth,clientAuth",
                     "-CA", caFile, "-CAkey", folder.appendingPathComponent("ca.key").path])
        return pair
    }

    /// Removes the folder and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Why `openssl` failed.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private func openssl(_ arguments: [String]) throws {
        let result = try CommandRunner.run(["/usr/bin/openssl"] + arguments, program: true)
        guard result.status == 0 else { throw Failure(description: "openssl \(arguments[0]) failed: \(result.errors)") }
    }
}
