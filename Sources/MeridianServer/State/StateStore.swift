#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MeridianCore

/// What a director must not lose across a restart or a crash: the overrides it holds and its last
/// observations, as JSON files in a state folder. Every file is replaced atomically (written to a
/// temporary file, flushed to disk, renamed over the old one, and the folder flushed), so a crash
/// leaves either the old file or the new one, never a torn one.
public final class StateStore: Sendable {
    /// The folder.
    public let directory: String

    static let overridesFile = "overrides.json"
    static let observationsFile = "observations.json"
    static let peerMarksFile = "peer-marks.json"

    /// What a folder held at start.
    public struct Contents: Sendable {
        public var overrides: [OverrideTable.Write] = []
        public var observations: [Observation] = []
        /// The time (microseconds since the epoch) of the last message accepted from each peer.
        public var peerMarks: [RegionName: Int64] = [:]
    }

    /// Why the folder cannot be used.
    public struct StateError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Uses (and creates) `directory`.
    public init(directory: String) throws(StateError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StateError(description: "cannot create the state folder \(directory): \(error.localizedDescription)")
        }
        guard access(directory, W_OK) == 0 else { throw StateError(description: "the state folder \(directory) is not writable") }
        self.directory = directory
    }

    /// What the folder holds; a missing or unreadable file counts as empty (and is said in `problems`).
    public func load() -> (contents: Contents, problems: [String]) {
        var contents = Contents()
        var problems: [String] = []
        func read<T: Decodable>(_ name: String, as type: T.Type) -> T? {
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            do {
                return try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                problems.append("\(path): \(error.localizedDescription); starting without it")
                return nil
            }
        }
        contents.overrides = read(Self.overridesFile, as: [OverrideTable.Write].self) ?? []
        contents.observations = read(Self.observationsFile, as: [Observation].self) ?? []
        contents.peerMarks = read(Self.peerMarksFile, as: [RegionName: Int64].self) ?? [:]
        return (contents, problems)
    }

    func save(overrides: [OverrideTable.Write]) throws {
        try write(try JSONEncoder().encode(overrides), to: Self.overridesFile)
    }

    func save(observations: [Observation]) throws {
        try write(try JSONEncoder().encode(observations), to: Self.observationsFile)
    }

    func save(peerMarks: [RegionName: Int64]) throws {
        try write(try JSONEncoder().encode(peerMarks), to: Self.peerMarksFile)
    }

    /// Replaces `name` with `data`: temporary file, fsync, rename, fsync of the folder.
    private func write(_ data: Data, to name: String) throws {
        let path = directory + "/" + name
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateError(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { bytes -> Int in
            var offset = 0
            while offset < bytes.count {
                let result = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if result < 0 { if errno == EINTR { continue }; return -1 }
                offset += result
            }
            return offset
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw StateError(description: "cannot replace \(path): \(String(cString: strerror(errno)))")
        }
        let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}
