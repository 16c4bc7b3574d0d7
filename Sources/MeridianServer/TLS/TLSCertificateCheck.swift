import Foundation
import MeridianCore

/// What `meridian check` says of the certificates `tls:` and each director's `api-tls` name: each
/// pair must load (PEM files that can be read, a key that matches its certificate), every redirect
/// host of every service must be covered by one of `tls:`, the host of each director's URL by its
/// `api-tls`, and none may have expired (an error) or expire within `soon` (a warning). The
/// authorities of `peer-ca-file` and `peer-client-ca` must be readable.
public enum TLSCertificateCheck {
    /// How close an expiry is worth a warning.
    public static let soon: TimeInterval = 14 * 86_400

    /// One thing found, with where `global.yaml` names the pair it is about.
    public struct Finding: Sendable, CustomStringConvertible {
        public var isError: Bool
        public var location: SourceLocation?
        public var message: String

        public var description: String {
            (location.map { "\($0): " } ?? "") + (isError ? "" : "warning: ") + message
        }
    }

    /// Everything found in `configuration`'s certificates at `now`.
    public static func findings(_ configuration: Configuration, now: Date = Date()) -> [Finding] {
        var findings: [Finding] = []
        if let tls = configuration.tls {
            let contexts = tls.certificates.compactMap { load($0, minimum: tls.minimumVersion, now: now, into: &findings) }
            // Coverage is judged only when every pair loaded: a broken one would be reported twice.
            if contexts.count == tls.certificates.count {
                for service in configuration.services {
                    for host in service.redirect?.hosts ?? [] where !contexts.contains(where: { $0.certificate(covering: host.text) != nil }) {
                        findings.append(Finding(isError: true, location: tls.certificates.first?.location,
                                                message: "redirect host \(host.text) of service '\(service.name)' is covered by no certificate in 'tls'"))
                    }
                }
            }
        }
        for (_, director) in configuration.directors {
            guard let pair = director.apiTLS, let context = load(pair, minimum: .tls12, now: now, into: &findings) else { continue }
            if context.certificate(covering: director.peerURL.host) == nil {
                findings.append(Finding(isError: true, location: pair.location,
                                        message: "\(pair.certificate) does not cover \(director.peerURL.host), the host of director \(director.name)'s URL \(director.peerURL.text)"))
            }
        }
        for file in Set([configuration.peerTLS?.caFile, configuration.peerTLS?.clientCAFile].compactMap { $0 }).sorted() {
            do {
                _ = try APITLS.client(caFile: file)
            } catch {
                findings.append(Finding(isError: true, location: nil, message: error.description))
            }
        }
        return findings
    }

    /// The pair, read and dated (what is wrong with it added to `findings`); `nil` when it does not load.
    private static func load(_ pair: TLSSettings.CertificateFiles, minimum: TLSSettings.MinimumVersion, now: Date,
                             into findings: inout [Finding]) -> TLSServerContext? {
        let context: TLSServerContext
        do {
            context = try TLSServerContext(pairs: [(pair.certificate, pair.key)], minimum: minimum)
        } catch {
            findings.append(Finding(isError: true, location: pair.location, message: error.description))
            return nil
        }
        let notAfter = context.certificates[0].notAfter
        let date = notAfter.formatted(.iso8601)
        if notAfter <= now {
            findings.append(Finding(isError: true, location: pair.location, message: "\(pair.certificate) expired on \(date)"))
        } else if notAfter.timeIntervalSince(now) < soon {
            let days = Int(notAfter.timeIntervalSince(now) / 86_400)
            findings.append(Finding(isError: false, location: pair.location,
                                    message: "\(pair.certificate) expires in \(days) day\(days == 1 ? "" : "s") (\(date))"))
        }
        return context
    }
}
