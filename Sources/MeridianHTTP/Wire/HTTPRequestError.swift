/// Why a request cannot be answered as asked: each is answered with its status and a plain reason,
/// and the connection is closed (after a malformed head the rest of the stream cannot be trusted).
public enum HTTPRequestError: Error, Sendable, Equatable {
    case headTooLarge(limit: Int)
    case badRequestLine
    case badMethod
    case badTarget(String)
    case unsupportedVersion
    case badLineEnding
    case badHeaderName
    case badHeaderValue
    case obsoleteLineFolding
    case tooManyHeaders(limit: Int)
    case missingHost
    case duplicateHost
    case badHost
    case badContentLength
    case lengthAndTransferEncoding

    /// The response status.
    public var status: Int {
        switch self {
        case .unsupportedVersion: 505
        default: 400
        }
    }

    /// The reason given in the response body.
    public var reason: String {
        switch self {
        case .headTooLarge(let limit): "request head larger than \(limit) bytes"
        case .badRequestLine: "malformed request line"
        case .badMethod: "malformed method"
        case .badTarget(let why): "bad request target: \(why)"
        case .unsupportedVersion: "only HTTP/1.0 and HTTP/1.1 are supported"
        case .badLineEnding: "lines must end with CRLF (bare CR or LF found)"
        case .badHeaderName: "malformed header name"
        case .badHeaderValue: "malformed header value"
        case .obsoleteLineFolding: "obsolete line folding is not accepted"
        case .tooManyHeaders(let limit): "more than \(limit) header fields"
        case .missingHost: "HTTP/1.1 request without Host"
        case .duplicateHost: "more than one Host header"
        case .badHost: "malformed Host header"
        case .badContentLength: "malformed or conflicting Content-Length"
        case .lengthAndTransferEncoding: "both Content-Length and Transfer-Encoding"
        }
    }
}
