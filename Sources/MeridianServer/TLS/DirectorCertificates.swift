import Foundation
import MeridianCore
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// The certificates a director serves, as last read: the HTTPS redirect listener's contexts
/// (`TLSServerContext`) and the API's pair. `reload` (on SIGHUP) reads the same files again, so that
/// a renewed certificate is served without a restart: new handshakes take the new one, and a
/// connection open meanwhile keeps the context it began with (each holds it) and is not dropped.
/// A pair that does not load leaves the one in use as it is. Session tickets outlive a reload
/// (`TLSTicketKeys`).
public final class DirectorCertificates: Sendable {
    /// The API's pair, as NIOSSL serves it.
    struct APIPair: Sendable {
        var files: TLSSettings.CertificateFiles
        var chain: [NIOSSLCertificateSource]
        var key: NIOSSLPrivateKeySource
        var notAfter: Date
    }

    private struct Held: Sendable {
        var redirect: TLSServerContext?
        var api: APIPair?
        var reloads: [String: UInt64] = [:]
    }

    private let held = NIOLockedValueBox(Held())

    public init() {}

    /// The redirect listener's contexts in use (`nil`: it has none).
    public var redirect: TLSServerContext? { held.withLockedValue { $0.redirect } }

    /// Reads the redirect listener's certificates and uses them.
    public func useRedirect(_ settings: TLSSettings) throws(TLSServerContext.SetupError) {
        let context = try TLSServerContext(settings)
        held.withLockedValue { $0.redirect = context }
    }

    /// Reads the API's pair, and returns the server configuration that serves it (and the one a
    /// reload reads later: the pair is chosen at each client hello). With `clientCA`, it asks for
    /// a client certificate of that authority.
    public func useAPI(_ files: TLSSettings.CertificateFiles, clientCA: String?,
                       minimum: TLSSettings.MinimumVersion = .tls12) throws(APITLS.SetupError) -> TLSConfiguration {
        let pair = try APITLS.pair(files)
        held.withLockedValue { $0.api = pair }
        var configuration = try APITLS.server(pair, clientCA: clientCA, minimum: minimum)
        configuration.sslContextCallback = { [weak self] _, promise in
            var override = NIOSSLContextConfigurationOverride()
            if let pair = self?.held.withLockedValue({ $0.api }) {
                override.certificateChain = pair.chain
                override.privateKey = pair.key
            }
            promise.succeed(override)
        }
        return configuration
    }

    /// Reads again the certificates in use, from the files `tls` and `api` name now (those of
    /// the configuration in force): what loads replaces what was used; what does not is returned,
    /// and the one in use stays.
    public func reload(tls: TLSSettings?, api: TLSSettings.CertificateFiles?) -> [String] {
        var problems: [String] = []
        let current = held.withLockedValue { $0 }
        if current.redirect != nil {
            if let tls {
                do {
                    let context = try TLSServerContext(tls)
                    held.withLockedValue { $0.redirect = context }
                } catch {
                    problems.append("HTTPS redirect certificates: \(error)")
                }
            } else {
                problems.append("HTTPS redirect certificates: the configuration names none now; the ones read at start stay")
            }
        }
        if current.api != nil {
            if let api {
                do {
                    let pair = try APITLS.pair(api)
                    held.withLockedValue { $0.api = pair }
                } catch {
                    problems.append("API certificate: \(error)")
                }
            } else {
                problems.append("API certificate: the configuration names none now; the one read at start stays")
            }
        }
        if current.redirect != nil || current.api != nil {
            held.withLockedValue { $0.reloads[problems.isEmpty ? "reloaded" : "refused", default: 0] += 1 }
        }
        return problems
    }

    /// Each certificate's expiry and the reloads, for `/metrics`.
    func write(to writer: inout PrometheusTextWriter) {
        let held = self.held.withLockedValue { $0 }
        guard held.redirect != nil || held.api != nil else { return }
        writer.family(.tlsCertificateExpiry)
        for certificate in held.redirect?.certificates ?? [] {
            writer.sample(.tlsCertificateExpiry, ["listener": "redirect-tls", "certificate": certificate.certificateFile],
                          Int64(certificate.notAfter.timeIntervalSince1970))
        }
        if let api = held.api {
            writer.sample(.tlsCertificateExpiry, ["listener": "api", "certificate": api.files.certificate],
                          Int64(api.notAfter.timeIntervalSince1970))
        }
        writer.family(.tlsCertificateReloads)
        for outcome in ["reloaded", "refused"] {
            writer.sample(.tlsCertificateReloads, ["outcome": outcome], held.reloads[outcome] ?? 0)
        }
    }
}
