import Foundation

extension Timestamp {
    /// RFC 3339 text in UTC with milliseconds, as the API writes times.
    public var iso8601: String {
        Date(timeIntervalSince1970: Double(nanosecondsSinceEpoch) / 1e9)
            .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
