/// The certificates the HTTPS redirect listeners serve (`tls:` in `global.yaml`): PEM files named
/// by path, never key material in YAML. The first is the default for clients that ask for no name,
/// or for one no certificate covers; the others are chosen by the name a client asks for (SNI).
public struct TLSSettings: Sendable, Equatable {
    /// One certificate (with any intermediates after it) and its private key.
    public struct CertificateFiles: Sendable, Hashable, Codable {
        public var certificate: String
        public var key: String
        /// Where `global.yaml` names the pair (`nil` for settings made in code).
        public var location: SourceLocation?

        public init(certificate: String, key: String, location: SourceLocation? = nil) {
            self.certificate = certificate
            self.key = key
            self.location = location
        }

        private enum CodingKeys: String, CodingKey {
            case certificate, key
        }
    }

    /// The oldest protocol version a client may use (`tls-minimum-version`).
    public enum MinimumVersion: String, Sendable, CaseIterable {
        case tls12 = "1.2"
        case tls13 = "1.3"
    }

    public var certificates: [CertificateFiles]
    public var minimumVersion: MinimumVersion

    public init(certificates: [CertificateFiles], minimumVersion: MinimumVersion = .tls12) {
        self.certificates = certificates
        self.minimumVersion = minimumVersion
    }
}
