import Crypto

/// The identity of a configuration folder's contents: `sha256:` and 64 lower-case hex digits of
/// SHA-256 over every file, so that directors can tell whether they run the same configuration and
/// a release's signature covers every byte of its files.
///
/// The order is defined, not the folder listing's: the files sorted by the UTF-8 bytes of their
/// base names, each contributing its base name, a zero byte, its text's length in bytes (8 bytes,
/// big-endian) and its text. The length keeps one file's end from passing for the next one's start.
public enum ConfigurationFingerprint {
    /// What every fingerprint starts with.
    public static let prefix = "sha256:"
    /// A fingerprint's length in bytes: the prefix and 64 hex digits.
    public static let length = prefix.utf8.count + 64

    /// The fingerprint of `files`, whose names may be paths (only base names count).
    public static func of(_ files: [ConfigurationLoader.SourceFile]) -> String {
        var hash = SHA256()
        for (name, text) in ordered(files.map { (baseName($0.name), $0.text) }) {
            hash.update(data: Array(name.utf8) + [0])
            let count = UInt64(text.utf8.count)
            hash.update(data: (0..<8).map { UInt8(truncatingIfNeeded: count >> (56 - 8 * $0)) })
            hash.update(data: Array(text.utf8))
        }
        let digits = Array("0123456789abcdef")
        var fingerprint = prefix
        for byte in hash.finalize() {
            fingerprint.append(digits[Int(byte >> 4)])
            fingerprint.append(digits[Int(byte & 0xf)])
        }
        return fingerprint
    }

    /// `files` in the order the fingerprint takes them: by the UTF-8 bytes of their names.
    static func ordered(_ files: [(name: String, text: String)]) -> [(name: String, text: String)] {
        files.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    /// Whether `text` has the form of a fingerprint.
    public static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == length && text.hasPrefix(prefix)
            && bytes.dropFirst(prefix.utf8.count).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The first 12 hex digits, as tables show a fingerprint (`ctl config`); the text as it is when
    /// it is no fingerprint.
    public static func short(_ text: String) -> String {
        isWellFormed(text) ? String(text.dropFirst(prefix.count).prefix(12)) : text
    }

    /// The last path component of `name`.
    static func baseName(_ name: String) -> String {
        name.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? name
    }
}
