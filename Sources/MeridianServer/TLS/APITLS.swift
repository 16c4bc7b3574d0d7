import Foundation
import MeridianCore
import NIOCore
import NIOSSL

/// The TLS of the director's API and of its calls to peers, on NIOSSL (the API is Hummingbird's,
/// the peer calls AsyncHTTPClient's): the server side serves a director's `api-tls` certificate and,
/// with `peer-client-ca`, asks clients for a certificate of that authority (optional at the
/// handshake, so that browsers and `ctl` need none; the peer routes then refuse a request without
/// one); the client side verifies a peer's `https://` URL against `peer-ca-file` (or the system's
/// authorities) and presents the director's own `api-tls` certificate.
public enum APITLS {
    /// How long a closing connection waits for the other side's close_notify (NIOSSL's default,
    /// 5 s, would hold a director's shutdown up by that much for each stream a peer keeps open).
    static let shutdownTimeout = TimeAmount.milliseconds(500)

    /// Why a certificate, key or authority file could not be used.
    public struct SetupError: Error, CustomStringConvertible {
        public var file: String
        public var reason: String
        public var description: String { "\(file): \(reason)" }
    }

    /// The API's server configuration for `pair`; with `clientCA`, it asks for (and verifies
    /// against it) a client certificate.
    static func server(_ pair: DirectorCertificates.APIPair, clientCA: String?,
                       minimum: TLSSettings.MinimumVersion = .tls12) throws(SetupError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: pair.chain, privateKey: pair.key)
        configuration.minimumTLSVersion = minimum == .tls13 ? .tlsv13 : .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        configuration.shutdownTimeout = shutdownTimeout
        if let clientCA {
            configuration.trustRoots = .certificates(try authority(clientCA))
            configuration.certificateVerification = .optionalVerification
        }
        return configuration
    }

    /// What `director` uses to reach its peers under `configuration`: their certificates verified
    /// (names included) against `peer-ca-file` or the system's authorities, and its own `api-tls`
    /// certificate presented when a peer asks for one.
    public static func peerClient(_ configuration: Configuration, director: DirectorName) throws(SetupError) -> TLSConfiguration {
        try client(caFile: configuration.peerTLS?.caFile, certificate: configuration.director(director)?.endpoints.apiTLS)
    }

    /// A client configuration that verifies servers against `caFile` (`nil`: the system's
    /// authorities) and presents `certificate` when one is given.
    public static func client(caFile: String?, certificate: TLSSettings.CertificateFiles? = nil) throws(SetupError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.shutdownTimeout = shutdownTimeout
        if let caFile { tls.trustRoots = .certificates(try authority(caFile)) }
        if let certificate {
            let pair = try pair(certificate)
            tls.certificateChain = pair.chain
            tls.privateKey = pair.key
        }
        return tls
    }

    /// The pair `files` names, read (OpenSSL first, for its reasons, and the key checked against
    /// the certificate; then NIOSSL), with its expiry.
    static func pair(_ files: TLSSettings.CertificateFiles) throws(SetupError) -> DirectorCertificates.APIPair {
        let notAfter: Date
        do {
            notAfter = try TLSServerContext(pairs: [(files.certificate, files.key)]).certificates[0].notAfter
        } catch {
            throw SetupError(file: error.file, reason: error.reason)
        }
        let chain: [NIOSSLCertificate], key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw SetupError(file: files.certificate, reason: "not readable by NIOSSL (\(error))")
        }
        do {
            key = try NIOSSLPrivateKey(file: files.key, format: .pem)
        } catch {
            throw SetupError(file: files.key, reason: "not readable by NIOSSL (\(error))")
        }
        return DirectorCertificates.APIPair(files: files, chain: chain.map { .certificate($0) }, key: .privateKey(key), notAfter: notAfter)
    }

    private static func authority(_ file: String) throws(SetupError) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(file)
        } catch {
            throw SetupError(file: file, reason: "not a PEM certificate file (\(error))")
        }
        guard !certificates.isEmpty else { throw SetupError(file: file, reason: "no certificate in the file") }
        return certificates
    }
}
