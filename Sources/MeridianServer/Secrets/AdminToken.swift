import Foundation

/// The bearer token the admin endpoints ask for: from a file or `MERIDIAN_TOKEN`, compared in
/// constant time.
public struct AdminToken: Sendable {
    private let bytes: [UInt8]

    /// The environment variable that may hold the token (`meridian ctl` reads the same one).
    public static let environmentVariable = "MERIDIAN_TOKEN"

    /// A token from its text (surrounding whitespace ignored); `nil` when shorter than 16 bytes.
    public init?(_ text: String) {
        guard let checked = SecretText.checked(text) else { return nil }
        bytes = Array(checked.utf8)
    }

    public typealias LoadError = SecretLoadError

    /// The token from `file` if given, else from `MERIDIAN_TOKEN`; `nil` when neither is set.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LoadError) -> AdminToken? {
        try SecretText.load(file: file, variable: environmentVariable, what: "admin token", environment: environment).flatMap(AdminToken.init)
    }

    /// Whether an `Authorization` header value is `Bearer <this token>`, compared in constant time.
    public func authorizes(_ header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.dropFirst("Bearer ".count).utf8)
        var difference = UInt8(given.count == bytes.count ? 0 : 1)
        for index in bytes.indices { difference |= bytes[index] ^ (index < given.count ? given[index] : 0) }
        return difference == 0
    }
}
