import MeridianCore

/// How a stand-in gateway behaves, switched at run time over its control endpoint.
public enum StandInMode: Hashable, Sendable, CustomStringConvertible {
    /// Answers `/health` with 200 and any other path with a small JSON document.
    case healthy
    /// Answers every request with 503.
    case error
    /// Answers like `healthy`, after a delay.
    case slow(Duration)
    /// Accepts connections and reads requests, but never answers.
    case hang
    /// Closes its listener and every open connection, like a process that died.
    case down

    /// Parses `healthy`, `error`, `hang`, `down`, or `slow` with a delay (`slow`, default 2s).
    public init?(_ text: String, delay: String? = nil) {
        switch text {
        case "healthy": self = .healthy
        case "error": self = .error
        case "hang": self = .hang
        case "down": self = .down
        case "slow":
            guard let value = Duration.parse(delay ?? "2s") else { return nil }
            self = .slow(value)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .healthy: "healthy"
        case .error: "error"
        case .slow(let delay): "slow \(delay.shortDescription)"
        case .hang: "hang"
        case .down: "down"
        }
    }
}
