import Foundation

/// An absolute `http` or `https` URL that redirects are built on, such as
/// `https://ist.api.example.test` or `https://api.example.test:8443/eu`.
///
/// It has a host and optionally a port and a path prefix, and never a query, fragment or user
/// information, so appending a client's path cannot change where it points.
public struct BaseURL: Hashable, Sendable, TextCoded {
    /// The URL text without a trailing slash.
    public let text: String
    /// The host the URL names.
    public let host: String

    /// Validates `text`; `nil` when it is not a plain absolute http(s) URL.
    public init?(_ text: String) {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil,
              components.user == nil, components.password == nil,
              !text.contains(where: { $0.isWhitespace || $0 == "\\" }) else { return nil }
        let isAddress = host.hasPrefix("[") || IPAddress(host) != nil
        guard isAddress || DomainName(host) != nil else { return nil }
        var normalized = text
        while normalized.hasSuffix("/") { normalized.removeLast() }
        self.text = normalized
        self.host = host.lowercased()
    }



    public var description: String { text }
}
