/// Reads HTTP/1.x request heads strictly (RFC 9112), from bytes that may hold a partial head, one
/// head, or several pipelined ones. Anything ambiguous is an error rather than a guess: bare CR or
/// LF, obsolete line folding, whitespace before a header's colon, a second Host, a malformed or
/// repeated Content-Length, Content-Length together with Transfer-Encoding, control characters.
/// Every index is checked against the bytes given; nothing traps on any input.
public struct HTTPRequestHeadParser: Sendable {
    /// What reading the start of a buffer gave.
    public enum Outcome: Sendable, Equatable {
        /// A whole head, `head.length` bytes long.
        case complete(HTTPRequestHead)
        /// The head goes on past the bytes given (and is still within the size limit).
        case incomplete
        case invalid(HTTPRequestError)
    }

    public static let defaultMaxHeadSize = 8192
    public static let defaultMaxHeaders = 64

    /// The largest head accepted, in bytes.
    public var maxHeadSize: Int
    /// The most header fields accepted.
    public var maxHeaders: Int

    public init(maxHeadSize: Int = defaultMaxHeadSize, maxHeaders: Int = defaultMaxHeaders) {
        self.maxHeadSize = maxHeadSize
        self.maxHeaders = maxHeaders
    }

    /// Reads the head at the start of `bytes`.
    public func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let visible = min(bytes.count, maxHeadSize)
        var scanner = Scanner(bytes: bytes, end: visible)
        let outcome = scanner.head(maxHeaders: maxHeaders)
        if case .incomplete = outcome, bytes.count >= maxHeadSize { return .invalid(.headTooLarge(limit: maxHeadSize)) }
        return outcome
    }
}

private let cr: UInt8 = 13, lf: UInt8 = 10, space: UInt8 = 32, tab: UInt8 = 9, colon: UInt8 = 58

/// A pass over one head.
private struct Scanner {
    let bytes: UnsafeRawBufferPointer
    /// The first index not to read (the size limit, or the end of the bytes).
    let end: Int
    var position = 0

    init(bytes: UnsafeRawBufferPointer, end: Int) {
        self.bytes = bytes
        self.end = end
    }

    /// Where the line starting at `position` ends (the index of its CR), `nil` when it is not
    /// complete yet, or an error for a bare CR or LF.
    func lineEnd() -> Result<Int?, HTTPRequestError> {
        var index = position
        while index < end {
            let byte = bytes[index]
            if byte == lf { return .failure(.badLineEnding) }
            if byte == cr {
                guard index + 1 < end else { return .success(nil) }
                return bytes[index + 1] == lf ? .success(index) : .failure(.badLineEnding)
            }
            index += 1
        }
        return .success(nil)
    }

    mutating func head(maxHeaders: Int) -> HTTPRequestHeadParser.Outcome {
        // Empty lines before the request line are ignored (RFC 9112 2.2), a few of them.
        var skipped = 0
        while position + 1 < end, bytes[position] == cr, bytes[position + 1] == lf, skipped < 4 {
            position += 2
            skipped += 1
        }
        let requestLineEnd: Int
        switch lineEnd() {
        case .failure(let error): return .invalid(error)
        case .success(nil): return precheckPartialRequestLine().map { .invalid($0) } ?? .incomplete
        case .success(let found?): requestLineEnd = found
        }
        var head: HTTPRequestHead
        switch requestLine(endingAt: requestLineEnd) {
        case .failure(let error): return .invalid(error)
        case .success(let parsed): head = parsed
        }
        position = requestLineEnd + 2

        var fields = 0
        var contentLength: Int?
        var transferEncoding = false
        var connectionClose = false, connectionKeepAlive = false
        while true {
            let lineEnd: Int
            switch self.lineEnd() {
            case .failure(let error): return .invalid(error)
            case .success(nil): return .incomplete
            case .success(let found?): lineEnd = found
            }
            if lineEnd == position {
                position += 2
                break
            }
            fields += 1
            if fields > maxHeaders { return .invalid(.tooManyHeaders(limit: maxHeaders)) }
            let first = bytes[position]
            if first == space || first == tab { return .invalid(.obsoleteLineFolding) }
            var nameEnd = position
            while nameEnd < lineEnd, bytes[nameEnd] != colon {
                guard isTokenCharacter(bytes[nameEnd]) else { return .invalid(.badHeaderName) }
                nameEnd += 1
            }
            guard nameEnd < lineEnd, nameEnd > position else { return .invalid(.badHeaderName) }
            var valueStart = nameEnd + 1, valueEnd = lineEnd
            while valueStart < valueEnd, bytes[valueStart] == space || bytes[valueStart] == tab { valueStart += 1 }
            while valueEnd > valueStart, bytes[valueEnd - 1] == space || bytes[valueEnd - 1] == tab { valueEnd -= 1 }
            for index in valueStart..<valueEnd {
                let byte = bytes[index]
                guard byte >= 0x20 && byte != 0x7F || byte == tab else { return .invalid(.badHeaderValue) }
            }
            let name = position..<nameEnd, value = valueStart..<valueEnd
            switch HeaderName(bytes, name) {
            case .host:
                guard head.host == nil else { return .invalid(.duplicateHost) }
                guard isValidHost(value) else { return .invalid(.badHost) }
                head.host = value
            case .connection:
                forEachToken(value) { token in
                    if equalsIgnoringCase(token, "close") { connectionClose = true }
                    if equalsIgnoringCase(token, "keep-alive") { connectionKeepAlive = true }
                }
            case .accept:
                if contains(value, "application/json") { head.acceptsJSON = true }
            case .forwardedFor:
                head.forwardedFor.append(value)
            case .forwarded:
                head.forwarded.append(value)
            case .contentLength:
                guard let length = decimal(value), contentLength == nil || contentLength == length else {
                    return .invalid(.badContentLength)
                }
                contentLength = length
            case .transferEncoding:
                transferEncoding = true
            case .other:
                break
            }
            position = lineEnd + 2
        }
        if transferEncoding && contentLength != nil { return .invalid(.lengthAndTransferEncoding) }
        if head.version == .http11 && head.host == nil { return .invalid(.missingHost) }
        head.hasBody = transferEncoding || (contentLength ?? 0) > 0
        head.keepAlive = !connectionClose && (head.version == .http11 || connectionKeepAlive)
        head.length = position
        return .complete(head)
    }

    /// Rejects a request line early, before its end arrives, when what has arrived can already not
    /// be one (say, TLS sent to the plain HTTP port).
    func precheckPartialRequestLine() -> HTTPRequestError? {
        var index = position
        while index < end, index - position < 20 {
            let byte = bytes[index]
            if byte == space { return index == position ? .badMethod : nil }
            guard isTokenCharacter(byte) else { return .badMethod }
            index += 1
        }
        return index < end ? .badMethod : nil
    }

    func requestLine(endingAt lineEnd: Int) -> Result<HTTPRequestHead, HTTPRequestError> {
        var methodEnd = position
        while methodEnd < lineEnd, bytes[methodEnd] != space {
            guard isTokenCharacter(bytes[methodEnd]) else { return .failure(.badMethod) }
            methodEnd += 1
        }
        guard methodEnd > position, methodEnd < lineEnd, methodEnd - position <= 20 else { return .failure(.badMethod) }
        let targetStart = methodEnd + 1
        var targetEnd = targetStart
        while targetEnd < lineEnd, bytes[targetEnd] != space {
            let byte = bytes[targetEnd]
            guard byte > 0x20 && byte != 0x7F else { return .failure(.badTarget("control character")) }
            targetEnd += 1
        }
        guard targetEnd > targetStart, targetEnd < lineEnd else { return .failure(.badRequestLine) }
        let versionStart = targetEnd + 1
        guard lineEnd - versionStart == 8, matches(versionStart, "HTTP/1.") else {
            let looksLikeHTTP = lineEnd - versionStart == 8 && matches(versionStart, "HTTP/")
                && isDigit(bytes[versionStart + 5]) && bytes[versionStart + 6] == 0x2E && isDigit(bytes[versionStart + 7])
            return .failure(looksLikeHTTP ? .unsupportedVersion : .badRequestLine)
        }
        let version: HTTPRequestHead.Version
        switch bytes[versionStart + 7] {
        case 0x31: version = .http11
        case 0x30: version = .http10
        case let digit where isDigit(digit): return .failure(.unsupportedVersion)
        default: return .failure(.badRequestLine)
        }
        let methodName = position..<methodEnd
        let method: HTTPRequestHead.Method =
            methodName.count == 3 && matches(position, "GET") ? .get
            : methodName.count == 4 && matches(position, "HEAD") ? .head : .other
        return .success(HTTPRequestHead(
            method: method, methodName: methodName, target: targetStart..<targetEnd, version: version, host: nil,
            keepAlive: false, acceptsJSON: false, forwardedFor: [], forwarded: [], hasBody: false, length: 0))
    }

    /// Whether the bytes at `start` are `text`, exactly.
    func matches(_ start: Int, _ text: StaticString) -> Bool {
        guard start + text.utf8CodeUnitCount <= end else { return false }
        for index in 0..<text.utf8CodeUnitCount where bytes[start + index] != text.utf8Start[index] { return false }
        return true
    }

    func equalsIgnoringCase(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        for index in 0..<range.count where lowercased(bytes[range.lowerBound + index]) != text.utf8Start[index] {
            return false
        }
        return true
    }

    func contains(_ range: Range<Int>, _ text: StaticString) -> Bool {
        let length = text.utf8CodeUnitCount
        guard range.count >= length else { return false }
        for start in range.lowerBound...(range.upperBound - length)
        where equalsIgnoringCase(start..<start + length, text) {
            return true
        }
        return false
    }

    /// Calls `body` with each comma-separated token of a list value, trimmed.
    func forEachToken(_ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        while start <= range.upperBound {
            var stop = start
            while stop < range.upperBound, bytes[stop] != 0x2C { stop += 1 }
            var low = start, high = stop
            while low < high, bytes[low] == space || bytes[low] == tab { low += 1 }
            while high > low, bytes[high - 1] == space || bytes[high - 1] == tab { high -= 1 }
            if high > low { body(low..<high) }
            start = stop + 1
        }
    }

    /// A Content-Length value: digits only, at most 15 of them.
    func decimal(_ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 15 else { return nil }
        var value = 0
        for index in range {
            guard isDigit(bytes[index]) else { return nil }
            value = value * 10 + Int(bytes[index] - 0x30)
        }
        return value
    }

    /// A Host value: a name, an IPv4 address or a bracketed IPv6 address, with an optional port.
    func isValidHost(_ range: Range<Int>) -> Bool {
        guard !range.isEmpty, range.count <= 261 else { return false }
        for index in range {
            let byte = bytes[index]
            let allowed = isDigit(byte) || (lowercased(byte) >= 0x61 && lowercased(byte) <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == colon || byte == 0x5B || byte == 0x5D
            guard allowed else { return false }
        }
        return true
    }
}

/// The headers the redirector reads, recognised by length first and then case-insensitively.
private enum HeaderName {
    case host, connection, accept, forwardedFor, forwarded, contentLength, transferEncoding, other

    init(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        func named(_ text: StaticString) -> Bool {
            for index in 0..<range.count where lowercased(bytes[range.lowerBound + index]) != text.utf8Start[index] {
                return false
            }
            return true
        }
        switch range.count {
        case 4 where named("host"): self = .host
        case 6 where named("accept"): self = .accept
        case 9 where named("forwarded"): self = .forwarded
        case 10 where named("connection"): self = .connection
        case 14 where named("content-length"): self = .contentLength
        case 15 where named("x-forwarded-for"): self = .forwardedFor
        case 17 where named("transfer-encoding"): self = .transferEncoding
        default: self = .other
        }
    }
}

@inline(__always) private func lowercased(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
}

@inline(__always) private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

/// RFC 9110 tchar: the characters of methods and header names.
@inline(__always) private func isTokenCharacter(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
    case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
    default: false
    }
}
