import Foundation
import MeridianCore
import NIOConcurrencyHelpers

/// What happened to a director, newest last: verdict changes, overrides, peers lost and found,
/// configuration changes, state files moved aside. Kept in memory (the last `capacity` events) and,
/// with a state folder, in `events.jsonl` there (mode 0600, one JSON object a line, appended and
/// flushed to disk; rewritten atomically to the last `capacity` when it grows to twice that), so
/// that it survives restarts. Served at `/v1/events`.
///
/// `record` only updates memory: the file is written by a serial queue of its own, because events
/// are recorded from the probes' event loops, which must not wait for a disk. Events recorded while
/// a write is under way are written together by the next one, so the backlog is bounded by
/// `capacity`, however slow the disk.
public final class EventJournal: Sendable {
    /// What an event is about.
    public enum Kind: String, Sendable {
        /// A gateway's verdict changed.
        case verdict
        /// An override was set or cleared (here, via a peer, or by a reload).
        case override
        /// A peer went stale or was heard from again.
        case peer
        /// The configuration was reloaded, or a reload refused.
        case configuration
        /// A state file was moved aside at start.
        case state
        /// A site failing back took a step, stepped back, or has all its clients back.
        case failback
    }

    /// One event.
    public struct Event: Codable, Sendable, Equatable {
        /// A `Kind`'s name (kept as text, so that events of kinds a later version adds still read).
        public var kind: String
        /// What it is about: a gateway, a region, a peer, the configuration, a state file.
        public var subject: String
        public var message: String
        /// RFC 3339.
        public var at: String
    }

    public static let defaultCapacity = 1000

    private struct State {
        var events: [Event] = []
        var linesInFile = 0
        /// The newest events not written yet.
        var unwritten = 0
        var writing = false
    }

    /// What the writer does next.
    private enum Write {
        case append([Event])
        case rewrite([Event])
    }

    private let capacity: Int
    private let path: String?
    private let state = NIOLockedValueBox(State())
    private let writer = DispatchQueue(label: "meridian-journal")

    /// A journal kept in `directory` (or only in memory when `nil`), read back from there.
    public init(directory: String?, capacity: Int = defaultCapacity) {
        self.capacity = capacity
        path = directory.map { $0 + "/events.jsonl" }
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let lines = text.split(separator: "\n")
        let events = lines.compactMap { try? JSONDecoder().decode(Event.self, from: Data($0.utf8)) }
        state.withLockedValue { $0 = State(events: Array(events.suffix(capacity)), linesInFile: lines.count) }
    }

    /// Records an event (the file follows shortly, off the caller's thread).
    public func record(_ kind: Kind, _ subject: String, _ message: String, at now: Timestamp = .now) {
        let event = Event(kind: kind.rawValue, subject: subject, message: message, at: now.iso8601)
        let startWriter = state.withLockedValue { state -> Bool in
            state.events.append(event)
            if state.events.count > capacity { state.events.removeFirst(state.events.count - capacity) }
            guard path != nil else { return false }
            state.unwritten += 1
            guard !state.writing else { return false }
            state.writing = true
            return true
        }
        if startWriter { writer.async { self.writeUnwritten() } }
    }

    /// Waits until every event recorded so far is in the file.
    public func flush() {
        writer.sync {}
    }

    /// The newest `limit` events, newest first.
    public func latest(_ limit: Int) -> [Event] {
        state.withLockedValue { Array($0.events.suffix(max(0, limit)).reversed()) }
    }

    /// Writes what was recorded since the last write, until nothing is left (on the writer queue).
    private func writeUnwritten() {
        guard let path else { return }
        while let write = nextWrite() {
            do {
                switch write {
                case .append(let events):
                    try DurableFile.append(Data(events.compactMap(Self.line).joined().utf8), to: path)
                case .rewrite(let events):
                    try DurableFile.replace(path, with: Data(events.compactMap(Self.line).joined().utf8))
                }
            } catch {
                // The events stay in memory (and on `/v1/events`); the file misses them.
                continue
            }
        }
    }

    private func nextWrite() -> Write? {
        state.withLockedValue { state -> Write? in
            guard state.unwritten > 0 else {
                state.writing = false
                return nil
            }
            defer { state.unwritten = 0 }
            if state.unwritten > state.events.count || state.linesInFile + state.unwritten >= capacity * 2 {
                state.linesInFile = state.events.count
                return .rewrite(state.events)
            }
            state.linesInFile += state.unwritten
            return .append(Array(state.events.suffix(state.unwritten)))
        }
    }

    private static func line(_ event: Event) -> String? {
        (try? JSONEncoder().encode(event)).map { String(decoding: $0, as: UTF8.self) + "\n" }
    }
}
