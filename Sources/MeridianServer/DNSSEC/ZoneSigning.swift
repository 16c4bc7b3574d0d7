import Foundation
import MeridianCore
import MeridianDNS
import NIOConcurrencyHelpers

/// A director's DNSSEC signing: the keys of its folder (read again when the folder changes) and the
/// signer in use, replaced when the signature window rolls over or a key changes state (a roll's
/// steps happen at the times the key files give), and kept otherwise so its signatures are reused.
public final class ZoneSigning: Sendable {
    public let folder: ZoneKeyFolder
    private let state = NIOLockedValueBox(State())

    struct State {
        var keys: [ZoneKey] = []
        var readAt: Date?
        var problems: [String] = []
        var signer: ZoneSigner?
        /// Signatures made by the signers this one replaced.
        var earlierSignatures: UInt64 = 0
        /// The last reason the folder could not sign, so that it is told once, not every second.
        var lastProblem: String?
    }

    /// Records `problem` (`nil`: signing works again); true when it differs from the last one told.
    func note(_ problem: String?) -> Bool {
        state.withLockedValue { state in
            defer { state.lastProblem = problem }
            return state.lastProblem != problem
        }
    }

    public init(folder: ZoneKeyFolder) {
        self.folder = folder
    }

    /// The signer for `configuration` at `now`: `nil` when the zone is not signed. Throws when it
    /// should be but no key of the folder is active (the reason names the folder's problems).
    public func signer(for configuration: Configuration, at now: Timestamp = .now) throws(SigningError) -> ZoneSigner? {
        guard let settings = configuration.dnssec, let apex = DNSName(configuration.zone.text) else { return nil }
        let modified = folder.modified
        return try state.withLockedValue { state -> Result<ZoneSigner?, SigningError> in
            if state.readAt == nil || modified != state.readAt {
                (state.keys, state.problems) = folder.load(zone: apex)
                state.readAt = modified
            }
            guard let candidate = ZoneSigner(apex: apex, keys: state.keys, settings: settings, now: now,
                                             keyTTL: settings.keyTTL) else {
                let found = state.problems.isEmpty ? "" : " (\(state.problems.joined(separator: "; ")))"
                return .failure(SigningError(description: "dnssec is on, but \(folder.path) has no active key for \(apex)\(found): "
                                             + "make one with `meridian dnssec keygen --keys \(folder.path) --zone \(configuration.zone)`"))
            }
            if let current = state.signer, current.identity == candidate.identity, current.apex == candidate.apex {
                return .success(current)
            }
            state.earlierSignatures += state.signer?.signaturesMade ?? 0
            state.signer = candidate
            return .success(candidate)
        }.get()
    }

    /// Every signature made since the director started.
    public var signaturesMade: UInt64 {
        state.withLockedValue { $0.earlierSignatures + ($0.signer?.signaturesMade ?? 0) }
    }

    /// Writes the signing families: signatures made, when the served ones expire, keys by role.
    func write(to writer: inout PrometheusTextWriter) {
        let (signer, made) = state.withLockedValue { ($0.signer, $0.earlierSignatures + ($0.signer?.signaturesMade ?? 0)) }
        guard let signer else { return }
        writer.family(.dnssecSignatures)
        writer.sample(.dnssecSignatures, [:], made)
        writer.family(.dnssecExpiration)
        writer.sample(.dnssecExpiration, [:], signer.expiration)
        writer.family(.dnssecKeys)
        writer.sample(.dnssecKeys, ["role": "signing"], Int64(signer.identity.signing.count))
        writer.sample(.dnssecKeys, ["role": "published"], Int64(signer.identity.published.count))
        writer.sample(.dnssecKeys, ["role": "signalled"], Int64(signer.identity.signalled.count))
    }
}

/// Why a zone that should be signed cannot be.
public struct SigningError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
