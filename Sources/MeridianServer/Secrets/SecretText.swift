import Foundation

/// Why a secret (a director's signing key, the admin token) could not be loaded.
public struct SecretLoadError: Error, CustomStringConvertible {
    public var description: String
}

/// Reads a secret's text the way every Meridian secret is read: from a file when one is named, else
/// from an environment variable, never from the configuration folder (which is meant to live in a
/// repository). Surrounding whitespace is ignored; shorter than 16 bytes is an error.
enum SecretText {
    static let minimumBytes = 16

    /// The text, trimmed and checked; `nil` when it is too short.
    static func checked(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.utf8.count >= minimumBytes ? trimmed : nil
    }

    /// The text from `file` if given, else from `variable` in `environment`; `nil` when neither is
    /// set. `what` names the secret in errors.
    static func load(file: String?, variable: String, what: String, environment: [String: String]) throws(SecretLoadError) -> String? {
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw SecretLoadError(description: "cannot read the \(what) file \(file)")
            }
            guard let secret = checked(text) else {
                throw SecretLoadError(description: "\(file): the \(what) must be at least \(minimumBytes) bytes")
            }
            return secret
        }
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard let secret = checked(text) else { throw SecretLoadError(description: "\(variable) must be at least \(minimumBytes) bytes") }
        return secret
    }
}
