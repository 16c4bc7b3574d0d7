/// An IP address and port a director listens on, written `127.0.0.1:15353` or `[::1]:15353`.
public struct SocketAddress: Hashable, Sendable, TextCoded {
    public let ip: IPAddress
    public let port: UInt16

    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// Parses `IPV4:PORT` or `[IPV6]:PORT` with a port from 1 to 65535.
    public init?(_ text: String) {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[close...].hasPrefix("]:") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard host.contains(":") else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { return nil }
        }
        guard let ip = IPAddress(host), portText.allSatisfy(\.isASCIIDigit), portText.count <= 5,
              let port = UInt16(portText), port > 0 else { return nil }
        self.init(ip: ip, port: port)
    }

    /// Whether this address is the wildcard (`0.0.0.0` or `::`) that listens on every address.
    public var isWildcard: Bool {
        ip == .v4(0) || ip == .v6(0)
    }

    /// Whether two listeners on these addresses would collide (same port, and the same address or a
    /// wildcard of the same family on either side).
    public func collides(with other: SocketAddress) -> Bool {
        port == other.port && ip.family == other.ip.family && (ip == other.ip || isWildcard || other.isWildcard)
    }

    public var description: String {
        ip.family == .v6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }


}

extension IPAddress: TextCoded {}
