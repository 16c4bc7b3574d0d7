import Testing
@testable import MeridianHTTP

/// Parses `text` (CRLFs written as they are) with the default parser.
func parse(_ text: String, parser: HTTPRequestHeadParser = HTTPRequestHeadParser()) -> HTTPRequestHeadParser.Outcome {
    Array(text.utf8).withUnsafeBytes { parser.parse($0) }
}

/// The head of `text`, and the text of a range of it.
func head(_ text: String) throws -> (HTTPRequestHead, (Range<Int>?) -> String?) {
    guard case .complete(let head) = parse(text) else {
        Issue.record("not a complete head: \(parse(text))")
        throw ParseFailure()
    }
    let bytes = Array(text.utf8)
    return (head, { range in range.map { String(decoding: bytes[$0], as: UTF8.self) } })
}

struct ParseFailure: Error {}

@Suite("HTTP request head parser")
struct HTTPRequestHeadParserTests {
    @Test("a plain GET: method, target, version, Host, keep-alive by default")
    func plainGet() throws {
        let text = "GET /v1/orders?id=7 HTTP/1.1\r\nHost: go.example.test\r\nUser-Agent: curl/8\r\n\r\n"
        let (head, slice) = try head(text)
        #expect(head.method == .get)
        #expect(slice(head.methodName) == "GET")
        #expect(slice(head.target) == "/v1/orders?id=7")
        #expect(head.version == .http11)
        #expect(slice(head.host) == "go.example.test")
        #expect(head.keepAlive)
        #expect(!head.acceptsJSON)
        #expect(!head.hasBody)
        #expect(head.length == text.utf8.count)
    }

    @Test("pipelined heads: the first one's length, the rest left alone")
    func pipelined() throws {
        let first = "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"
        let (head, _) = try head(first + "GET /two HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(head.method == .head)
        #expect(head.length == first.utf8.count)
    }

    @Test("partial heads wait for more, at any cut")
    func incomplete() {
        let text = "GET /a HTTP/1.1\r\nHost: go.example.test\r\nAccept: */*\r\n\r\n"
        let bytes = Array(text.utf8)
        for cut in 0..<bytes.count {
            let outcome = Array(bytes[..<cut]).withUnsafeBytes { HTTPRequestHeadParser().parse($0) }
            #expect(outcome == .incomplete, "cut at \(cut)")
        }
    }

    @Test("Connection, HTTP/1.0 and keep-alive")
    func connection() throws {
        #expect(try head("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").0.keepAlive == false)
        #expect(try head("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n").0.keepAlive == false)
        #expect(try head("GET / HTTP/1.0\r\n\r\n").0.keepAlive == false)
        #expect(try head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").0.keepAlive == true)
        #expect(try head("GET / HTTP/1.0\r\nHost: a\r\n\r\n").0.version == .http10)
    }

    @Test("Accept, forwarding headers (several, in order), header names in any case")
    func recognisedHeaders() throws {
        let text = "GET / HTTP/1.1\r\nhOsT: a\r\nACCEPT: text/html, Application/JSON;q=0.9\r\n"
            + "X-Forwarded-For: 10.6.0.1\r\nx-forwarded-for:  10.0.0.2 , 10.0.0.3 \r\nForwarded: for=10.1.1.1\r\n\r\n"
        let (head, slice) = try head(text)
        #expect(head.acceptsJSON)
        #expect(head.forwardedFor.map(slice) == ["10.6.0.1", "10.0.0.2 , 10.0.0.3"])
        #expect(head.forwarded.map(slice) == ["for=10.1.1.1"])
    }

    @Test("bodies: Content-Length and Transfer-Encoding")
    func bodies() throws {
        #expect(try head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n").0.hasBody)
        #expect(try head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").0.hasBody == false)
        #expect(try head("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n").0.hasBody)
        #expect(try head("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").0.hasBody)
        #expect(try head("PUT / HTTP/1.1\r\nHost: a\r\n\r\n").0.method == .other)
    }

    @Test("a few empty lines before the request line are ignored")
    func leadingEmptyLines() throws {
        #expect(try head("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").0.method == .get)
    }

    @Test("every malformed head gets its error", arguments: [
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", HTTPRequestError.badLineEnding),
        ("GET / HTTP/1.1\r\nHost: a\n\r\n", .badLineEnding),
        ("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", .badLineEnding),
        ("GET / HTTP/1.1\r\nHost: a\r\n X-Folded: b\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\nHost: a\r\n\tX: b\r\n\r\n", .obsoleteLineFolding),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", .badHeaderName),
        ("GET / HTTP/1.1\r\n: a\r\n\r\n", .badHeaderName),
        ("GET / HTTP/1.1\r\nNo colon here\r\n\r\n", .badHeaderName),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: b\u{1}c\r\n\r\n", .badHeaderValue),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .duplicateHost),
        ("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", .badHost),
        ("GET / HTTP/1.1\r\nHost:\r\n\r\n", .badHost),
        ("GET / HTTP/1.1\r\n\r\n", .missingHost),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5x\r\n\r\n", .badContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", .badContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", .badContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1,1\r\n\r\n", .badContentLength),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", .lengthAndTransferEncoding),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion),
        ("GET / HTTP/1.2\r\nHost: a\r\n\r\n", .unsupportedVersion),
        ("GET / http/1.1\r\nHost: a\r\n\r\n", .badRequestLine),
        ("GET /\r\nHost: a\r\n\r\n", .badRequestLine),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .badRequestLine),
        ("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", .badRequestLine),
        ("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", .badRequestLine),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", .badMethod),
        (" GET / HTTP/1.1\r\nHost: a\r\n\r\n", .badMethod),
        ("\u{16}\u{3}\u{1}\u{2}\u{0}", .badMethod),
        ("GET /a\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", .badTarget("control character")),
    ])
    func malformed(text: String, error: HTTPRequestError) {
        #expect(parse(text) == .invalid(error))
    }

    @Test("limits: head size and header count")
    func limits() {
        let parser = HTTPRequestHeadParser(maxHeadSize: 64, maxHeaders: 3)
        #expect(parse("GET /" + String(repeating: "a", count: 80), parser: parser) == .invalid(.headTooLarge(limit: 64)))
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + String(repeating: "b", count: 60) + "\r\n\r\n", parser: parser)
                == .invalid(.headTooLarge(limit: 64)))
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", parser: parser) == .invalid(.tooManyHeaders(limit: 3)))
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", parser: parser) != .invalid(.tooManyHeaders(limit: 3)))
    }

    @Test("random and mutated bytes never trap, and a complete head never claims more bytes than given")
    func randomBytes() {
        var generator = SystemRandomNumberGenerator()
        let seeds = ["GET /a?b=c HTTP/1.1\r\nHost: go.example.test\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n",
                     "POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc"].map { Array($0.utf8) }
        let alphabet: [UInt8] = Array("\r\n :/?%GETHOST1.0,;\t\u{0}\u{7F}\u{80}".utf8)
        for round in 0..<20_000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = alphabet.randomElement(using: &generator)!
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                default: bytes.remove(at: index)
                }
                if bytes.isEmpty { bytes = [0] }
            }
            let outcome = bytes.withUnsafeBytes { HTTPRequestHeadParser(maxHeadSize: 64).parse($0) }
            if case .complete(let head) = outcome {
                #expect(head.length <= bytes.count)
                #expect(head.target.upperBound <= head.length)
            }
        }
    }
}
