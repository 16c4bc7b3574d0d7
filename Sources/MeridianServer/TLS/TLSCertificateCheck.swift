import Foundation
import MeridianCore

/// What `meridian check` says of the certificates `tls:` names: each pair must load (PEM files
/// that can be read, a key that matches its certificate), every redirect host of every service must
/// be covered by one of them, and none may have expired (an error) or expire within `soon` (a warning).
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
        guard let tls = configuration.tls else { return [] }
        var findings: [Finding] = []
        var contexts: [TLSServerContext] = []
        for pair in tls.certificates {
            let context: TLSServerContext
            do {
                context = try TLSServerContext(pairs: [(pair.certificate, pair.key)], minimum: tls.minimumVersion)
            } catch {
                findings.append(Finding(isError: true, location: pair.location, message: error.description))
                continue
            }
            contexts.append(context)
            let notAfter = context.certificates[0].notAfter
            let date = notAfter.formatted(.iso8601)
            if notAfter <= now {
                findings.append(Finding(isError: true, location: pair.location, message: "\(pair.certificate) expired on \(date)"))
            } else if notAfter.timeIntervalSince(now) < soon {
                let days = Int(notAfter.timeIntervalSince(now) / 86_400)
                findings.append(Finding(isError: false, location: pair.location,
                                        message: "\(pair.certificate) expires in \(days) day\(days == 1 ? "" : "s") (\(date))"))
            }
        }
        // Coverage is judged only when every pair loaded: a broken one would be reported twice.
        guard contexts.count == tls.certificates.count else { return findings }
        for service in configuration.services {
            for host in service.redirect?.hosts ?? [] where !contexts.contains(where: { $0.certificate(covering: host.text) != nil }) {
                findings.append(Finding(isError: true, location: tls.certificates.first?.location,
                                        message: "redirect host \(host.text) of service '\(service.name)' is covered by no certificate in 'tls'"))
            }
        }
        return findings
    }
}
