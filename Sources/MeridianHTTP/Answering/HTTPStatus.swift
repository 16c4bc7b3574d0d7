/// The statuses the redirector answers with, and their reason phrases.
public enum HTTPStatus {
    /// `HTTP/1.1 <code> <reason>` and CRLF.
    public static func statusLine(_ code: Int) -> String {
        "HTTP/1.1 \(code) \(reasonPhrase(code))\r\n"
    }

    public static func reasonPhrase(_ code: Int) -> String {
        switch code {
        case 200: "OK"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(code)"
        }
    }
}
