import MeridianCore
import NIOCore

/// A small, strict, incremental HTTP/1.x response reader for probes.
///
/// It reads the status line and only the headers that frame the body (`Content-Length`,
/// `Transfer-Encoding`, `Connection`) and the load header when asked for one, then consumes the body (keeping its start only when a body
/// check needs it) so the connection can serve the next probe. It works on the caller's
/// accumulated buffer: `parse` consumes what it can and returns `nil` until a response is complete.
/// Anything ambiguous (folded headers, conflicting lengths, bad chunk sizes) is an error, and the
/// caller closes the connection.
struct HTTPProbeResponseParser {
    static let headLimit = 16 * 1024
    static let bodyLimit = 64 * 1024

    private enum State {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
    }

    private let keepsBody: Bool
    /// The request was HEAD: the response has no body, whatever its headers say.
    private let headRequest: Bool
    /// The lower-cased name of the header that carries the gateway's load, if one does.
    private let loadHeader: String?
    private var state = State.head
    private var status = 0
    private var keepAlive = true
    private var body: ByteBuffer?
    private var loadValue: String?

    init(keepsBody: Bool, headRequest: Bool = false, loadHeader: String? = nil) {
        self.keepsBody = keepsBody
        self.headRequest = headRequest
        self.loadHeader = loadHeader
    }

    /// Consumes bytes from `buffer`; returns the response once it is complete.
    mutating func parse(_ buffer: inout ByteBuffer) throws(ProbeResponseError) -> ProbeResponse? {
        while true {
            switch state {
            case .head:
                guard try readHead(&buffer) else { return nil }
            case .fixedBody(let remaining):
                let taken = take(&buffer, upTo: remaining)
                if taken < remaining {
                    state = .fixedBody(remaining: remaining - taken)
                    return nil
                }
                return finish()
            case .chunkSize:
                guard let line = try readLine(&buffer, limit: 1024) else { return nil }
                let size = try chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let taken = take(&buffer, upTo: remaining)
                if taken < remaining {
                    state = .chunkData(remaining: remaining - taken)
                    return nil
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard buffer.readableBytes >= 2 else { return nil }
                guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { throw .invalidChunk }
                state = .chunkSize
            case .trailers:
                guard let line = try readLine(&buffer, limit: Self.headLimit) else { return nil }
                if line.readableBytes == 0 { return finish() }
            case .untilClose:
                _ = take(&buffer, upTo: buffer.readableBytes)
                return nil
            }
        }
    }

    /// The peer closed the connection: completes a body that runs until close, else an error.
    mutating func connectionClosed() throws(ProbeResponseError) -> ProbeResponse {
        guard case .untilClose = state else { throw .closedMidResponse }
        keepAlive = false
        return finish()
    }

    private mutating func finish() -> ProbeResponse {
        let response = ProbeResponse(status: status, keepAlive: keepAlive, body: body, loadHeader: loadValue)
        self = HTTPProbeResponseParser(keepsBody: keepsBody, headRequest: headRequest, loadHeader: loadHeader)
        return response
    }

    /// Consumes up to `limit` body bytes, keeping them when the body is checked.
    private mutating func take(_ buffer: inout ByteBuffer, upTo limit: Int) -> Int {
        let count = min(limit, buffer.readableBytes)
        guard var slice = buffer.readSlice(length: count) else { return 0 }
        if keepsBody {
            let room = Self.bodyLimit - (body?.readableBytes ?? 0)
            if room > 0, let kept = slice.readSlice(length: min(room, slice.readableBytes)) {
                if body == nil { body = kept } else { body!.writeImmutableBuffer(kept) }
            }
        }
        return count
    }

    /// A line ending in CRLF, without it; `nil` when more bytes are needed.
    private func readLine(_ buffer: inout ByteBuffer, limit: Int) throws(ProbeResponseError) -> ByteBuffer? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > limit { throw .headTooLarge }
            return nil
        }
        let length = newline - view.startIndex
        guard length >= 1, view[newline - 1] == UInt8(ascii: "\r") else { throw .malformedHeader }
        let line = buffer.readSlice(length: length - 1)!
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    // MARK: The head

    /// Reads a whole response head; `false` when more bytes are needed.
    private mutating func readHead(_ buffer: inout ByteBuffer) throws(ProbeResponseError) -> Bool {
        // One pass: find the blank line that ends the head, refusing a bare LF (ambiguous framing).
        var headLength: Int?
        try buffer.withUnsafeReadableBytes { bytes throws(ProbeResponseError) in
            var previous: UInt8 = 0
            var lineStart = true
            for index in 0..<min(bytes.count, Self.headLimit) {
                let byte = bytes[index]
                if byte == 10 {
                    guard previous == 13 else { throw .malformedHeader }
                    if lineStart {
                        headLength = index + 1
                        return
                    }
                    lineStart = true
                } else if byte != 13 {
                    lineStart = false
                }
                previous = byte
            }
        }
        guard let headLength else {
            if buffer.readableBytes >= Self.headLimit { throw .headTooLarge }
            return false
        }
        var head = buffer.readSlice(length: headLength)!
        guard var statusLine = try readLine(&head, limit: Self.headLimit) else { throw .malformedStatusLine }
        let (minor, status) = try parseStatusLine(&statusLine)
        var contentLength: Int?
        var chunked = false
        var otherCoding = false
        var keepAlive = minor == 1
        while let line = try readLine(&head, limit: Self.headLimit), line.readableBytes > 0 {
            let (name, value) = try splitHeader(line)
            if name.equalsLowercased("content-length") {
                guard let length = parseContentLength(value), contentLength == nil || contentLength == length else {
                    throw .invalidContentLength
                }
                contentLength = length
            } else if name.equalsLowercased("transfer-encoding") {
                let codings = value.lowercasedTokens()
                chunked = codings.last == "chunked"
                otherCoding = !chunked
            } else if name.equalsLowercased("connection") {
                let tokens = value.lowercasedTokens()
                if tokens.contains("close") { keepAlive = false }
                if tokens.contains("keep-alive") { keepAlive = true }
            } else if let loadHeader, name.count == loadHeader.utf8.count,
                      zip(name, loadHeader.utf8).allSatisfy({ ($0 | 0x20) == $1 || $0 == $1 }) {
                // Sent twice, the load is ambiguous: no reading.
                loadValue = loadValue == nil && value.count <= 32 ? String(decoding: value, as: UTF8.self) : ""
            }
        }
        if status == 101 { throw .unexpectedUpgrade }
        if (100...199).contains(status) { return true }  // informational: the real response follows
        self.status = status
        self.keepAlive = keepAlive
        if status == 204 || status == 304 || headRequest {
            state = .fixedBody(remaining: 0)
        } else if chunked {
            // A length together with chunked framing is a smuggling signature: read it, then close.
            if contentLength != nil { self.keepAlive = false }
            state = .chunkSize
        } else if otherCoding {
            self.keepAlive = false
            state = .untilClose
        } else if let contentLength {
            state = .fixedBody(remaining: contentLength)
        } else {
            self.keepAlive = false
            state = .untilClose
        }
        return true
    }

    /// `HTTP/1.x SSS reason`: returns the minor version and the status.
    private func parseStatusLine(_ line: inout ByteBuffer) throws(ProbeResponseError) -> (Int, Int) {
        guard line.readableBytes >= 12,
              let prefix = line.readBytes(length: 7), prefix == Array("HTTP/1.".utf8),
              let minorByte = line.readInteger(as: UInt8.self), minorByte == UInt8(ascii: "0") || minorByte == UInt8(ascii: "1"),
              line.readInteger(as: UInt8.self) == UInt8(ascii: " "),
              let digits = line.readBytes(length: 3), digits.allSatisfy({ (0x30...0x39).contains($0) }),
              digits[0] >= UInt8(ascii: "1"), digits[0] <= UInt8(ascii: "5"),
              line.readableBytes == 0 || line.readInteger(as: UInt8.self) == UInt8(ascii: " ") else {
            throw .malformedStatusLine
        }
        let status = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return (Int(minorByte - 0x30), status)
    }

    private func splitHeader(_ line: ByteBuffer) throws(ProbeResponseError) -> (ByteBufferView, ByteBufferView) {
        let view = line.readableBytesView
        guard let colon = view.firstIndex(of: UInt8(ascii: ":")), colon > view.startIndex,
              view[view.startIndex..<colon].allSatisfy(\.isHTTPTokenByte) else { throw .malformedHeader }
        var value = view[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        return (view[view.startIndex..<colon], value)
    }

    private func parseContentLength(_ value: ByteBufferView) -> Int? {
        guard !value.isEmpty, value.count <= 15, value.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return value.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    private func chunkSize(_ line: ByteBuffer) throws(ProbeResponseError) -> Int {
        var size = 0
        var digits = 0
        for byte in line.readableBytesView {
            if byte == UInt8(ascii: ";") { break }  // chunk extensions are ignored
            guard let value = byte.hexValue, digits < 15 else { throw .invalidChunk }
            size = size << 4 | value
            digits += 1
        }
        guard digits > 0 else { throw .invalidChunk }
        return size
    }
}

extension UInt8 {
    fileprivate var hexValue: Int? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(self - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(self - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

extension Collection where Element == UInt8 {
    /// Compares with a lower-case ASCII string, ignoring the case of `self`.
    fileprivate func equalsLowercased(_ lowercase: StaticString) -> Bool {
        guard count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            zip(self, expected).allSatisfy { ($0 | 0x20) == $1 || ($0 == $1) }
        }
    }

    /// Comma-separated tokens, trimmed and lower-cased (header values are short).
    fileprivate func lowercasedTokens() -> [String] {
        String(decoding: self, as: UTF8.self).lowercased().split(separator: ",")
            .map { $0.trimmingCharacters(in: " \t") }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
