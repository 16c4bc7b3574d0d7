/// One HTTP/1.x request head as the redirector reads it: where its parts lie in the bytes it was
/// parsed from, and the few headers the redirector acts on. Every other header is checked for
/// syntax and skipped.
public struct HTTPRequestHead: Sendable, Equatable {
    /// The request method, as far as the redirector tells them apart.
    public enum Method: Sendable, Equatable {
        case get
        case head
        /// Any other method (its name is at `HTTPRequestHead.methodName`).
        case other
    }

    public enum Version: Sendable, Equatable {
        case http10
        case http11
    }

    public var method: Method
    /// The method's name.
    public var methodName: Range<Int>
    /// The request target, exactly as sent.
    public var target: Range<Int>
    public var version: Version
    /// The Host header's value (without surrounding whitespace).
    public var host: Range<Int>?
    /// Whether the connection stays open after the response (the version's default, changed by
    /// `Connection: close` or `Connection: keep-alive`).
    public var keepAlive: Bool
    /// Whether the Accept header names `application/json`.
    public var acceptsJSON: Bool
    /// The values of every `X-Forwarded-For` header, in order.
    public var forwardedFor: [Range<Int>]
    /// The values of every `Forwarded` header, in order.
    public var forwarded: [Range<Int>]
    /// Whether a body follows the head (a non-zero Content-Length, or a Transfer-Encoding).
    public var hasBody: Bool
    /// The length of the head in bytes, up to and including the blank line that ends it.
    public var length: Int
}
