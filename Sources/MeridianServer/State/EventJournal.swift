#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MeridianCore
import NIOConcurrencyHelpers

/// What happened to a director, newest last: verdict changes, overrides, peers lost and found,
/// configuration changes. Kept in memory (the last `capacity` events) and, with a state folder, in
/// `events.jsonl` there (one JSON object a line, appended; rewritten to the last `capacity` when it
/// grows to twice that), so that it survives restarts. Served at `/v1/events`.
public final class EventJournal: Sendable {
    /// One event.
    public struct Event: Codable, Sendable, Equatable {
        /// `verdict`, `override`, `peer` or `configuration`.
        public var kind: String
        /// What it is about: a gateway, a region, a peer, the configuration.
        public var subject: String
        public var message: String
        /// RFC 3339.
        public var at: String
    }

    public static let defaultCapacity = 1000

    private let capacity: Int
    private let path: String?
    private let state = NIOLockedValueBox<(events: [Event], linesInFile: Int)>(([], 0))

    /// A journal kept in `directory` (or only in memory when `nil`), read back from there.
    public init(directory: String?, capacity: Int = defaultCapacity) {
        self.capacity = capacity
        path = directory.map { $0 + "/events.jsonl" }
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let lines = text.split(separator: "\n")
        let events = lines.compactMap { try? JSONDecoder().decode(Event.self, from: Data($0.utf8)) }
        state.withLockedValue { $0 = (Array(events.suffix(capacity)), lines.count) }
    }

    /// Records an event.
    public func record(_ kind: String, _ subject: String, _ message: String, at now: Timestamp = .now) {
        let event = Event(kind: kind, subject: subject, message: message, at: now.iso8601)
        let rewrite = state.withLockedValue { state -> [Event]? in
            state.events.append(event)
            if state.events.count > capacity { state.events.removeFirst(state.events.count - capacity) }
            state.linesInFile += 1
            guard state.linesInFile >= capacity * 2 else { return nil }
            state.linesInFile = state.events.count
            return state.events
        }
        guard let path else { return }
        if let rewrite {
            let text = rewrite.compactMap(Self.line).joined()
            try? Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } else if let line = Self.line(event) {
            append(line, to: path)
        }
    }

    /// The newest `limit` events, newest first.
    public func latest(_ limit: Int) -> [Event] {
        state.withLockedValue { Array($0.events.suffix(max(0, limit)).reversed()) }
    }

    private static func line(_ event: Event) -> String? {
        (try? JSONEncoder().encode(event)).map { String(decoding: $0, as: UTF8.self) + "\n" }
    }

    private func append(_ line: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = line.utf8CString.withUnsafeBufferPointer { buffer in write(fd, buffer.baseAddress, buffer.count - 1) }
    }
}
