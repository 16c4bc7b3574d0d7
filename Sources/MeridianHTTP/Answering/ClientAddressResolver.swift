import MeridianCore

/// Finds the client behind a request: the connection's peer, unless the peer is one of the
/// configured trusted proxies, in which case the one forwarding header the configuration names is
/// read: `X-Forwarded-For` (the default) or `Forwarded` (RFC 7239, its `for=` parameters). The other
/// is ignored even when present, since a proxy passes through untouched the one it does not set.
/// The hops are walked from the right (the one the trusted peer added) leftwards, past every trusted
/// proxy; the first untrusted hop is the client. A hop that cannot be read (`unknown`, an
/// obfuscated name, garbage) ends the walk: the client is then the last hop that could be, since
/// nothing to its left can be believed. Headers from an untrusted peer are never read.
public struct ClientAddressResolver: Sendable {
    /// Where the client address came from.
    public enum Source: String, Sendable, CaseIterable {
        case peer
        case forwarded
    }

    private let trusted: PrefixTable<Bool>
    private let anyTrusted: Bool
    private let header: ForwardingHeader
    /// The most hops read from one request.
    static let maximumHops = 32

    public init(trustedProxies: [IPPrefix], header: ForwardingHeader = .xForwardedFor) {
        trusted = PrefixTable(trustedProxies.map { (prefix: $0, value: true) })
        anyTrusted = !trustedProxies.isEmpty
        self.header = header
    }

    /// The client of a request from `peer` whose head is `head` (in `bytes`).
    public func resolve(peer: IPAddress, head: HTTPRequestHead, bytes: UnsafeRawBufferPointer) -> (address: IPAddress, source: Source) {
        let values = header == .forwarded ? head.forwarded : head.forwardedFor
        guard anyTrusted, !values.isEmpty, isTrusted(peer) else { return (peer, .peer) }
        let hops = header == .forwarded
            ? Self.forwardedHops(values, bytes: bytes)
            : Self.forwardedForHops(values, bytes: bytes)
        var client = (address: peer, source: Source.peer)
        for hop in hops.reversed() {
            guard let address = hop else { break }
            client = (address, .forwarded)
            if !isTrusted(address) { break }
        }
        return client
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trusted.lookup(address) != nil
    }

    /// The hops of `X-Forwarded-For` values, left to right (`nil`: a hop that is not an address).
    static func forwardedForHops(_ values: [Range<Int>], bytes: UnsafeRawBufferPointer) -> [IPAddress?] {
        var hops: [IPAddress?] = []
        for value in values {
            for item in split(bytes, value, on: 0x2C) {
                hops.append(address(bytes, item))
            }
        }
        return Array(hops.suffix(maximumHops))
    }

    /// The `for=` hops of `Forwarded` values, left to right (`nil`: `unknown`, obfuscated, or bad).
    static func forwardedHops(_ values: [Range<Int>], bytes: UnsafeRawBufferPointer) -> [IPAddress?] {
        var hops: [IPAddress?] = []
        for value in values {
            for element in split(bytes, value, on: 0x2C) {
                for pair in split(bytes, element, on: 0x3B) {
                    guard pair.count > 4, lowercasedText(bytes, pair.lowerBound..<pair.lowerBound + 4) == "for=" else { continue }
                    var node = (pair.lowerBound + 4)..<pair.upperBound
                    if node.count >= 2, bytes[node.lowerBound] == 0x22, bytes[node.upperBound - 1] == 0x22 {
                        node = (node.lowerBound + 1)..<(node.upperBound - 1)
                    }
                    hops.append(address(bytes, node))
                }
            }
        }
        return Array(hops.suffix(maximumHops))
    }

    /// An address, possibly `[v6]`, `[v6]:port` or `v4:port`.
    static func address(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> IPAddress? {
        guard !range.isEmpty, range.count <= 64 else { return nil }
        var text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || isPort(rest) else { return nil }
            text = String(text[text.index(after: text.startIndex)..<close])
            guard text.contains(":") else { return nil }
        } else if let colon = text.firstIndex(of: ":"), text.firstIndex(of: ".") != nil,
                  text[text.index(after: colon)...].firstIndex(of: ":") == nil {
            guard isPort(text[colon...]) else { return nil }
            text = String(text[..<colon])
        }
        return IPAddress(text)?.unmapped
    }

    private static func isPort(_ text: Substring) -> Bool {
        text.count >= 2 && text.count <= 6 && text.first == ":" && text.dropFirst().allSatisfy(\.isASCII) && UInt16(text.dropFirst()) != nil
    }

    /// The pieces of `range` between `separator`s, with surrounding whitespace trimmed.
    static func split(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, on separator: UInt8) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var start = range.lowerBound
        while start <= range.upperBound {
            var stop = start
            while stop < range.upperBound, bytes[stop] != separator { stop += 1 }
            var low = start, high = stop
            while low < high, bytes[low] == 0x20 || bytes[low] == 0x09 { low += 1 }
            while high > low, bytes[high - 1] == 0x20 || bytes[high - 1] == 0x09 { high -= 1 }
            pieces.append(low..<high)
            start = stop + 1
        }
        return pieces
    }

    private static func lowercasedText(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self).lowercased()
    }
}
