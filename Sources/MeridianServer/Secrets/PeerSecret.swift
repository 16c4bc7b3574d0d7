import Crypto
import Foundation
import MeridianCore

/// The secret the directors share to authenticate each other: read from a file or an environment
/// variable (never from the configuration folder, which is meant to live in a repository).
public struct PeerSecret: Sendable {
    private let bytes: Data

    /// The secret as an HMAC key.
    var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// The environment variable that may hold the secret.
    public static let environmentVariable = "MERIDIAN_PEER_SECRET"

    /// A secret from its text (surrounding whitespace ignored); `nil` when shorter than 16 bytes.
    public init?(_ text: String) {
        guard let checked = SecretText.checked(text) else { return nil }
        bytes = Data(checked.utf8)
    }

    /// A random secret, for directors started together (`meridian demo`).
    public static func random() -> PeerSecret {
        PeerSecret(Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString())!
    }

    public typealias LoadError = SecretLoadError

    /// The secret from `file` if given, else from `MERIDIAN_PEER_SECRET`; `nil` when neither is set.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LoadError) -> PeerSecret? {
        try SecretText.load(file: file, variable: environmentVariable, what: "peer secret", environment: environment).flatMap(PeerSecret.init)
    }
}
