import NIOCore

/// The part of an HTTP response a probe needs: the status, whether the connection may be reused,
/// and (when asked for) the start of the body.
struct ProbeResponse: Equatable {
    var status: Int
    var keepAlive: Bool
    /// The first `HTTPProbeResponseParser.bodyLimit` bytes of the body, when the probe checks it.
    var body: ByteBuffer?
    /// The value of the load header (`probe.load: header NAME`), when asked for and sent.
    var loadHeader: String?
}

/// Why a response could not be read, worded for the dashboard's "last error".
enum ProbeResponseError: Error, Equatable, CustomStringConvertible {
    case malformedStatusLine
    case malformedHeader
    case headTooLarge
    case invalidContentLength
    case invalidChunk
    case unexpectedUpgrade
    case closedMidResponse

    var description: String {
        switch self {
        case .malformedStatusLine: "malformed HTTP status line"
        case .malformedHeader: "malformed HTTP header"
        case .headTooLarge: "HTTP response head over 16 KiB"
        case .invalidContentLength: "invalid Content-Length"
        case .invalidChunk: "invalid chunked body"
        case .unexpectedUpgrade: "unexpected 101 Switching Protocols"
        case .closedMidResponse: "connection closed mid-response"
        }
    }
}
