import MeridianCore
import MeridianDNS

extension Director {
    /// The signer for `configuration` from `signing`: `nil` when the zone is not signed; an error
    /// when it is to be and cannot be (no keys given, or none active).
    static func zoneSigner(for configuration: Configuration, signing: ZoneSigning?) throws(SigningError) -> ZoneSigner? {
        guard configuration.dnssec != nil else { return nil }
        guard let signing else {
            throw SigningError(description: "dnssec is on in the configuration: give the zone's keys with --dnssec-keys DIR")
        }
        return try signing.signer(for: configuration)
    }

    func zoneSigner(for configuration: Configuration) throws(SigningError) -> ZoneSigner? {
        try Self.zoneSigner(for: configuration, signing: signing)
    }

    /// Installs a new signer when the one in use is no longer right: the signature window rolled
    /// over, a key changed state (a roll's step) or the key folder changed. Called every second
    /// (`SnapshotRefresher`); a folder that no longer signs keeps the signer in use, logged and
    /// journaled once per reason.
    public func refreshSigning() {
        guard let signing else { return }
        let configuration = self.configuration
        do {
            let signer = try signing.signer(for: configuration)
            _ = signing.note(nil)
            guard signer !== answering.current.responder.signer else { return }
            logger.notice("zone signer replaced", metadata: ["keys": "\(signer.map { $0.identity.description } ?? "none")"])
            journal.record(.configuration, "dnssec", "signing with \(signer.map { $0.identity.description } ?? "no key")")
            answering.update(signer: signer)
        } catch {
            guard signing.note(error.description) else { return }
            logger.error("zone keys refused; the signer in use stays", metadata: ["reason": "\(error)"])
            journal.record(.configuration, "dnssec", "keys refused, the signer in use stays: \(error)")
        }
    }
}
