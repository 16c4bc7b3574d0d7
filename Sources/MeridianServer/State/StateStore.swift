#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MeridianCore
import NIOConcurrencyHelpers

/// What a director must not lose across a restart or a crash: the overrides it holds and its last
/// observations, as JSON files in a state folder. Every file is replaced atomically (`DurableFile`),
/// and saves are serialized: each reads what it writes while it holds the folder's lock, so an older
/// table can never be written after a newer one.
///
/// A file that cannot be read, or whose times cannot be true, is moved aside (`NAME.corrupt-TIME`)
/// and said in `load()`'s problems, so that it is neither trusted nor silently overwritten.
public final class StateStore: Sendable {
    /// The folder.
    public let directory: String
    private let writing = NIOLock()

    static let overridesFile = "overrides.json"
    static let observationsFile = "observations.json"
    static let peerMarksFile = "peer-marks.json"

    /// What a folder held at start.
    public struct Contents: Sendable {
        public var overrides: [OverrideTable.Write] = []
        public var observations: [Observation] = []
        /// The time (microseconds since the epoch) of the last message accepted from each peer.
        public var peerMarks: [DirectorName: Int64] = [:]
    }

    /// A file of the folder that was moved aside at start.
    public struct Problem: Sendable, CustomStringConvertible {
        public var file: String
        public var reason: String
        /// Where the file is now, if it could be moved.
        public var movedTo: String?

        public var description: String {
            "\(file): \(reason); " + (movedTo.map { "moved aside to \($0), starting without it" } ?? "starting without it")
        }
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

    /// What the folder holds; a missing file counts as empty, an unreadable or implausible one is
    /// moved aside and said in `problems`.
    public func load(at now: Timestamp = .now) -> (contents: Contents, problems: [Problem]) {
        var contents = Contents()
        var problems: [Problem] = []
        func read<T: Decodable>(_ name: String, as type: T.Type, check: (T) -> String?) -> T? {
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            let reason: String
            do {
                let value = try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                guard let implausible = check(value) else { return value }
                reason = implausible
            } catch {
                reason = "not readable (\(error.localizedDescription))"
            }
            problems.append(Problem(file: path, reason: reason, movedTo: moveAside(path, at: now)))
            return nil
        }
        contents.overrides = read(Self.overridesFile, as: [OverrideTable.Write].self) {
            StatePlausibility.problem(with: $0, at: now)
        } ?? []
        contents.observations = read(Self.observationsFile, as: [Observation].self) {
            StatePlausibility.problem(with: $0, at: now)
        } ?? []
        // Marks dated ahead are dropped where they are used (`Peering`), so any readable file will do.
        contents.peerMarks = read(Self.peerMarksFile, as: [DirectorName: Int64].self) { _ in nil } ?? [:]
        return (contents, problems)
    }

    /// Renames `path` to `path.corrupt-TIME`; returns the new path, or nil when it cannot be moved.
    private func moveAside(_ path: String, at now: Timestamp) -> String? {
        let stamp = now.iso8601.filter { $0 != "-" && $0 != ":" }.prefix { $0 != "." } + "Z"
        let aside = "\(path).corrupt-\(stamp)"
        return rename(path, aside) == 0 ? aside : nil
    }

    /// Saves the overrides that `current` reads, under the folder's lock.
    func save(overrides current: () -> [OverrideTable.Write]) throws {
        try writing.withLock {
            try DurableFile.replace(directory + "/" + Self.overridesFile, with: try JSONEncoder().encode(current()))
        }
    }

    /// Saves the observations that `current` reads, under the folder's lock; nothing when it reads
    /// nil (nothing new to save).
    func save(observations current: () -> [Observation]?) throws {
        try writing.withLock {
            guard let observations = current() else { return }
            try DurableFile.replace(directory + "/" + Self.observationsFile, with: try JSONEncoder().encode(observations))
        }
    }

    /// Saves the replay marks that `current` reads, under the folder's lock.
    func save(peerMarks current: () -> [DirectorName: Int64]) throws {
        try writing.withLock {
            try DurableFile.replace(directory + "/" + Self.peerMarksFile, with: try JSONEncoder().encode(current()))
        }
    }
}
