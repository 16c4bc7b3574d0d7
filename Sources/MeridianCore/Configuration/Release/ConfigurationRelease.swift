import Foundation

/// A numbered, signed configuration: the folder's files as one director installed them, with the
/// announcement that names it and its installing director's Ed25519 signature over that
/// announcement (`signedMessage`). The fingerprint in the announcement covers every file, so the
/// signature covers them too.
///
/// A release is decoded from what a peer sent: nothing of it is used before `problem(at:maximumSkew:)`
/// has passed it and its signature was checked with the signer's key under the running configuration.
public struct ConfigurationRelease: Codable, Sendable, Equatable {
    public var announcement: ConfigurationAnnouncement
    /// The folder's files, by base name.
    public var files: [File]
    /// The signature over `signedMessage`, in hex.
    public var signature: String

    /// One file of the folder.
    public struct File: Codable, Sendable, Hashable {
        /// The base name (`global.yaml`, `istanbul.yaml`).
        public var name: String
        public var text: String

        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    public init(announcement: ConfigurationAnnouncement, files: [File], signature: String) {
        self.announcement = announcement
        self.files = files
        self.signature = signature
    }

    /// The most files a release may hold.
    public static let mostFiles = 1024
    /// The most bytes of text a release may hold, every file together (the join endpoint's bound).
    public static let largestText = 16 << 20
    /// The longest file name, in bytes.
    public static let longestName = 255

    /// The bytes the signature is over: a tag, then every field of the announcement, a line each.
    public static func signedMessage(_ announcement: ConfigurationAnnouncement) -> Data {
        Data("""
            meridian-release-v1
            \(announcement.serial)
            \(announcement.fingerprint)
            \(announcement.signer)
            \(announcement.madeAt.nanosecondsSinceEpoch)
            \(announcement.author)

            """.utf8)
    }

    /// The files as the loader takes them.
    public var sourceFiles: [ConfigurationLoader.SourceFile] {
        files.map { ConfigurationLoader.SourceFile(name: $0.name, text: $0.text) }
    }

    /// Why this release cannot be taken at `now`, or `nil`: its announcement's problem, or files
    /// that break `problem(with:)`, or a fingerprint that is not the files' own.
    public func problem(at now: Timestamp, maximumSkew: Duration) -> String? {
        if let problem = announcement.problem(at: now, maximumSkew: maximumSkew) ?? Self.problem(with: files) { return problem }
        guard ConfigurationFingerprint.of(sourceFiles) == announcement.fingerprint else {
            return "the files' fingerprint is not the one announced"
        }
        return nil
    }

    /// Why `files` cannot be a release's, or `nil`: none at all, more than `mostFiles`, more than
    /// `largestText` bytes of text, or a name that is not a plain YAML file name (empty, too long,
    /// hidden, with a slash or a control character, not ending in `.yaml` or `.yml`), or twice.
    public static func problem(with files: [File]) -> String? {
        guard !files.isEmpty else { return "no files" }
        guard files.count <= mostFiles else { return "\(files.count) files; a release holds at most \(mostFiles)" }
        var total = 0
        var names = Set<String>()
        for file in files {
            total += file.text.utf8.count
            guard total <= largestText else { return "more than \(largestText) bytes of text" }
            if let problem = problem(name: file.name) { return problem }
            guard names.insert(file.name).inserted else { return "two files named '\(file.name)'" }
        }
        return nil
    }

    private static func problem(name: String) -> String? {
        let valid = (1...longestName).contains(name.utf8.count) && !name.hasPrefix(".") && !name.contains("/")
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
            && (name.hasSuffix(".yaml") || name.hasSuffix(".yml"))
        return valid ? nil : "'\(name.prefix(64))' is not a configuration file name (NAME.yaml, no slash, not hidden)"
    }
}
