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
        var scanner = HTTPHeadScanner(bytes: bytes, end: visible)
        let outcome = scanner.head(maxHeaders: maxHeaders)
        if case .incomplete = outcome, bytes.count >= maxHeadSize { return .invalid(.headTooLarge(limit: maxHeadSize)) }
        return outcome
    }
}

/// A pass over one head (its value readers are in `HTTPHeadScanner+Values.swift`).
struct HTTPHeadScanner {
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
}
