import Crypto
import Foundation
import MeridianCore

/// The Ed25519 private key a director signs its messages to its peers with. It is read from a file
/// (`meridian keygen` writes one, mode 0600) or an environment variable, never from the
/// configuration folder; the folder names only the public key (`director.key`).
public struct DirectorSigningKey: Sendable {
    /// The key's 32-byte seed (swift-crypto's keys are not `Sendable`; one is made from it to sign).
    let seed: Data
    private var privateKey: Curve25519.Signing.PrivateKey {
        // The seed was a valid key when this value was made.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    /// The environment variable that may hold the key file's text.
    public static let environmentVariable = "MERIDIAN_DIRECTOR_KEY"
    /// The prefix of the key file's text.
    static let filePrefix = "ed25519-private:"

    init(_ privateKey: Curve25519.Signing.PrivateKey) {
        seed = privateKey.rawRepresentation
    }

    /// A new random key (`meridian keygen`, `meridian demo`).
    public static func generate() -> DirectorSigningKey {
        DirectorSigningKey(Curve25519.Signing.PrivateKey())
    }

    /// The key of the director `name` derived from its name alone (`serve --insecure-loopback-keys`):
    /// anyone can compute it, so it is fit only for directors that all listen on loopback.
    public static func insecureLoopback(for name: DirectorName) -> DirectorSigningKey {
        let seed = SHA256.hash(data: Data("meridian insecure loopback key\n\(name)".utf8))
        // A SHA-256 digest is 32 bytes: always a valid Ed25519 seed.
        return DirectorSigningKey(try! Curve25519.Signing.PrivateKey(rawRepresentation: Data(seed)))
    }

    /// The public key, as the region file names it.
    public var publicKey: DirectorKey {
        DirectorKey(bytes: Array(privateKey.publicKey.rawRepresentation))!
    }

    /// The key file's text: `ed25519-private:BASE64` and a newline.
    public var fileText: String {
        Self.filePrefix + privateKey.rawRepresentation.base64EncodedString() + "\n"
    }

    /// A key from a key file's text (surrounding whitespace ignored); `nil` when it is not one.
    public init?(fileText text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix(Self.filePrefix),
              let raw = Data(base64Encoded: String(trimmed.dropFirst(Self.filePrefix.count))), raw.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else { return nil }
        self.init(key)
    }

    /// The key from `file` if given, else from `MERIDIAN_DIRECTOR_KEY`; `nil` when neither is set.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(SecretLoadError) -> DirectorSigningKey? {
        let text: String
        let source: String
        if let file {
            guard let read = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw SecretLoadError(description: "cannot read the director key file \(file)")
            }
            (text, source) = (read, file)
        } else {
            guard let value = environment[environmentVariable], !value.isEmpty else { return nil }
            (text, source) = (value, environmentVariable)
        }
        guard let key = DirectorSigningKey(fileText: text) else {
            throw SecretLoadError(description: "\(source) does not hold a director key (\(filePrefix)BASE64, as `meridian keygen` writes it)")
        }
        return key
    }

    /// Writes the key to a new file `path`, readable by its owner only (an existing file is not
    /// replaced).
    public func write(to path: String) throws(SecretLoadError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SecretLoadError(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(fileText.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw SecretLoadError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    func signature(for message: Data) -> [UInt8] {
        // Signing with a valid key does not fail.
        Array(try! privateKey.signature(for: message))
    }
}

/// Where a director finds its peers' public keys: in the configuration (the `key` of each
/// director), given apart from it (`meridian demo`'s keys, made in memory), or derived from the names
/// (`serve --insecure-loopback-keys`, loopback only).
public enum PeerKeyring: Sendable, Equatable {
    case configured
    case given([DirectorName: DirectorKey])
    case insecureLoopback

    /// The public key of the director `name` under `configuration`, if it has one.
    func key(of name: DirectorName, in configuration: Configuration) -> DirectorKey? {
        switch self {
        case .configured: configuration.director(name)?.endpoints.key
        case .given(let keys): keys[name]
        case .insecureLoopback: DirectorSigningKey.insecureLoopback(for: name).publicKey
        }
    }

    /// The public key of the director at `endpoints`, if it has one.
    func key(of endpoints: DirectorEndpoints) -> DirectorKey? {
        switch self {
        case .configured: endpoints.key
        case .given(let keys): keys[endpoints.name]
        case .insecureLoopback: DirectorSigningKey.insecureLoopback(for: endpoints.name).publicKey
        }
    }
}

/// What a director peers with: its own signing key and where it finds its peers' keys.
public struct PeerCredentials: Sendable {
    public var key: DirectorSigningKey
    public var keyring: PeerKeyring

    public init(key: DirectorSigningKey, keyring: PeerKeyring) {
        self.key = key
        self.keyring = keyring
    }

    /// Keys derived from the names, for the director `name` (`serve --insecure-loopback-keys`, tests).
    public static func insecureLoopback(for name: DirectorName) -> PeerCredentials {
        PeerCredentials(key: .insecureLoopback(for: name), keyring: .insecureLoopback)
    }
}
