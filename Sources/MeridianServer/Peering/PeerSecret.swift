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
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.utf8.count >= 16 else { return nil }
        bytes = Data(trimmed.utf8)
    }

    /// A random secret, for directors started together (`meridian demo`).
    public static func random() -> PeerSecret {
        PeerSecret(Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString())!
    }

    /// Why a secret could not be loaded.
    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The secret from `file` if given, else from `MERIDIAN_PEER_SECRET`; `nil` when neither is set.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LoadError) -> PeerSecret? {
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw LoadError(description: "cannot read the peer secret file \(file)")
            }
            guard let secret = PeerSecret(text) else { throw LoadError(description: "\(file): the peer secret must be at least 16 bytes") }
            return secret
        }
        guard let text = environment[environmentVariable], !text.isEmpty else { return nil }
        guard let secret = PeerSecret(text) else { throw LoadError(description: "\(environmentVariable) must be at least 16 bytes") }
        return secret
    }
}
