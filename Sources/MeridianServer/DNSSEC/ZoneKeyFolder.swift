import Foundation
import MeridianDNS

/// The folder of a zone's DNSSEC keys (`serve --dnssec-keys DIR`): every `K<zone>.+NNN+NNNNN.key`
/// with its `.private`, in BIND's format (`ZoneKeyFile`). Every director of the zone holds the same
/// folder; `meridian dnssec keygen` and `roll` write it.
public struct ZoneKeyFolder: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The keys of `zone` in the folder, and a line for each pair that could not be read (other
    /// zones' keys are passed over).
    public func load(zone: DNSName) -> (keys: [ZoneKey], problems: [String]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            return ([], ["cannot read the key folder \(path)"])
        }
        let prefix = "k\(zone.description.lowercased())+"
        var keys: [ZoneKey] = []
        var problems: [String] = []
        for name in names.sorted() where name.lowercased().hasPrefix(prefix) && name.hasSuffix(".key") {
            let base = (path as NSString).appendingPathComponent(String(name.dropLast(4)))
            guard let publicText = Self.read(base + ".key"), let privateText = Self.read(base + ".private") else {
                problems.append("\(base): the .key or .private file cannot be read")
                continue
            }
            do {
                keys.append(try ZoneKeyFile.read(publicText: publicText, privateText: privateText, zone: zone))
            } catch {
                problems.append("\(base): \(error.description)")
            }
        }
        return (keys, problems)
    }

    /// When the folder last changed (a file added, removed or renamed into it), to read it again
    /// only then.
    public var modified: Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// Writes `key`'s two files into the folder (the `.private` one readable by its owner only),
    /// each written whole to a temporary name and renamed, so a director never reads half a file.
    /// Returns the files' shared path without extension.
    @discardableResult
    public func write(_ key: ZoneKey, zone: DNSName) throws -> String {
        let base = (path as NSString).appendingPathComponent(ZoneKeyFile.baseName(key, zone: zone))
        try Self.replace(base + ".private", with: ZoneKeyFile.privateText(key), mode: 0o600)
        try Self.replace(base + ".key", with: ZoneKeyFile.publicText(key, zone: zone), mode: 0o644)
        return base
    }

    private static func read(_ file: String) -> String? {
        FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func replace(_ file: String, with text: String, mode: mode_t) throws {
        let temporary = file + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SecretLoadError(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, file) == 0 else {
            unlink(temporary)
            throw SecretLoadError(description: "cannot write \(file): \(String(cString: strerror(errno)))")
        }
    }
}
