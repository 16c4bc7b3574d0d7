/// The part of a request target a redirect carries over: the path and query, checked and written
/// out for a Location header.
///
/// The origin form (`/path?query`) is the usual one; the absolute form (`http://host/path?query`)
/// is accepted as RFC 9112 asks, and its host then selects the service instead of the Host header.
/// Percent-escapes must be complete (`%` and two hex digits); they are kept byte for byte. Bytes
/// that may not appear in a URL as they are (non-ASCII, `"`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`,
/// `}`) are percent-encoded on the way out. A fragment (`#`) has no place in a request and is
/// refused. Because the path always starts with `/` and is appended to a base URL that has a host,
/// nothing in it can change the redirect's scheme or host.
public struct RequestTarget: Sendable, Equatable {
    /// The path, from its leading `/` (the bytes of the target).
    public var path: Range<Int>
    /// The query without its `?`, when there is one.
    public var query: Range<Int>?
    /// The host named by an absolute-form target.
    public var authority: Range<Int>?
    /// Whether the query asks for the JSON answer (`meridian=json` among its parameters).
    public var asksForJSON: Bool

    /// Reads `range` of `bytes` as a request target.
    public static func parse(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Result<RequestTarget, HTTPRequestError> {
        var start = range.lowerBound
        var authority: Range<Int>?
        guard !range.isEmpty else { return .failure(.badTarget("empty")) }
        if bytes[start] != slash {
            // The absolute form: a scheme, "://", an authority, then the path (or nothing).
            guard let schemeEnd = absoluteFormAuthorityStart(bytes, range) else {
                return .failure(.badTarget("must start with / (or be an absolute http URL)"))
            }
            var hostEnd = schemeEnd
            while hostEnd < range.upperBound, bytes[hostEnd] != slash, bytes[hostEnd] != question { hostEnd += 1 }
            guard hostEnd > schemeEnd, !(schemeEnd..<hostEnd).contains(where: { bytes[$0] == 0x40 }) else {
                return .failure(.badTarget("bad authority"))
            }
            authority = schemeEnd..<hostEnd
            start = hostEnd
        }
        var queryStart: Int?
        var index = start
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == question, queryStart == nil { queryStart = index }
            if byte == 0x23 { return .failure(.badTarget("a fragment (#) is not sent in requests")) }
            if byte == percent {
                guard index + 2 < range.upperBound, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else {
                    return .failure(.badTarget("bad percent-encoding"))
                }
                index += 3
                continue
            }
            index += 1
        }
        let pathEnd = queryStart ?? range.upperBound
        let query = queryStart.map { ($0 + 1)..<range.upperBound }
        return .success(RequestTarget(path: start..<pathEnd, query: query, authority: authority,
                                      asksForJSON: query.map { containsJSONParameter(bytes, $0) } ?? false))
    }

    /// Appends the path and query (without the `meridian=json` parameter) to `output`, for a
    /// Location header: `/` for an empty path, escapes kept, unsafe bytes percent-encoded.
    public func write(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        func put(_ byte: UInt8) {
            if needsEncoding(byte) {
                output.append(percent)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            } else {
                output.append(byte)
            }
        }
        if path.isEmpty { put(slash) }
        for index in path { put(bytes[index]) }
        guard let query else { return }
        var first = true
        var parameterStart = query.lowerBound
        while parameterStart <= query.upperBound {
            var parameterEnd = parameterStart
            while parameterEnd < query.upperBound, bytes[parameterEnd] != ampersand { parameterEnd += 1 }
            let parameter = parameterStart..<parameterEnd
            if !isJSONParameter(bytes, parameter) {
                put(first ? question : ampersand)
                first = false
                for index in parameter { put(bytes[index]) }
            }
            parameterStart = parameterEnd + 1
        }
    }

    private static func absoluteFormAuthorityStart(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        for scheme in ["http://", "https://"] {
            let length = scheme.utf8.count
            guard range.count > length else { continue }
            let matches = scheme.utf8.enumerated().allSatisfy { offset, expected in
                let byte = bytes[range.lowerBound + offset]
                return (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == expected
            }
            if matches { return range.lowerBound + length }
        }
        return nil
    }

    private static func containsJSONParameter(_ bytes: UnsafeRawBufferPointer, _ query: Range<Int>) -> Bool {
        var start = query.lowerBound
        while start <= query.upperBound {
            var stop = start
            while stop < query.upperBound, bytes[stop] != ampersand { stop += 1 }
            if isJSONParameter(bytes, start..<stop) { return true }
            start = stop + 1
        }
        return false
    }
}

private let slash: UInt8 = 0x2F, question: UInt8 = 0x3F, percent: UInt8 = 0x25, ampersand: UInt8 = 0x26
private let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

private func isJSONParameter(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
    let expected = "meridian=json".utf8
    guard range.count == expected.count else { return false }
    return zip(range, expected).allSatisfy { bytes[$0] == $1 }
}

@inline(__always) private func isHex(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
}

/// Whether a byte must be percent-encoded in a Location: anything outside RFC 3986's unreserved,
/// reserved and `%` characters.
@inline(__always) private func needsEncoding(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x21, 0x24...0x3B, 0x3D, 0x3F...0x5A, 0x5F, 0x61...0x7A, 0x7E: false
    default: true
    }
}
