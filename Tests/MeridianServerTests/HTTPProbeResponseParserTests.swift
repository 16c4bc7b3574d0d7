import NIOCore
import Testing
@testable import MeridianServer

struct HTTPProbeResponseParserTests {
    /// Feeds `text` in pieces of `chunk` bytes and collects the responses.
    private func parse(_ text: String, chunk: Int = .max, keepsBody: Bool = false, close: Bool = false) throws -> [ProbeResponse] {
        var parser = HTTPProbeResponseParser(keepsBody: keepsBody)
        var buffer = ByteBuffer()
        var responses: [ProbeResponse] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + chunk)
            buffer.writeBytes(bytes[index..<end])
            index = end
            while let response = try parser.parse(&buffer) { responses.append(response) }
        }
        if close { responses.append(try parser.connectionClosed()) }
        return responses
    }

    @Test func readsAContentLengthResponseByteByByte() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n"
        for chunk in [1, 2, 7, .max] {
            let responses = try parse(text, chunk: chunk, keepsBody: true)
            #expect(responses.count == 1)
            #expect(responses.first?.status == 200)
            #expect(responses.first?.keepAlive == true)
            #expect(responses.first?.body.map { String(buffer: $0) } == "ok\n")
        }
    }

    @Test func readsPipelinedResponsesOneAfterAnother() throws {
        let one = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let two = "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n"
        #expect(try parse(one + two, chunk: 5).map(\.status) == [200, 503])
    }

    @Test func readsChunkedBodiesWithExtensionsAndTrailers() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nheal\r\n3\r\nthy\r\n0\r\nX-Trailer: 1\r\n\r\n"
        for chunk in [1, 3, .max] {
            let responses = try parse(text, chunk: chunk, keepsBody: true)
            #expect(responses.map { $0.body.map { String(buffer: $0) } } == ["healthy"])
            #expect(responses.first?.keepAlive == true)
        }
    }

    @Test func aBodyWithoutLengthRunsUntilClose() throws {
        let responses = try parse("HTTP/1.0 200 OK\r\n\r\nall of it", keepsBody: true, close: true)
        #expect(responses.count == 1)
        #expect(responses[0].keepAlive == false)
        #expect(responses[0].body.map { String(buffer: $0) } == "all of it")
    }

    @Test func connectionHeadersDecideKeepAlive() throws {
        #expect(try parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")[0].keepAlive == false)
        #expect(try parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n")[0].keepAlive == true)
        #expect(try parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")[0].keepAlive == false)
    }

    @Test func informationalResponsesAreSkippedAndNoBodyStatusesHaveNone() throws {
        #expect(try parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n").map(\.status) == [204])
        #expect(try parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n").map(\.status) == [304])
    }

    @Test func theBodyKeptIsBounded() throws {
        let body = String(repeating: "x", count: HTTPProbeResponseParser.bodyLimit + 100)
        let responses = try parse("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body, chunk: 1000, keepsBody: true)
        #expect(responses[0].body?.readableBytes == HTTPProbeResponseParser.bodyLimit)
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")[0].body == nil)
    }

    @Test(arguments: [
        ("HTTP/2 200 OK\r\n\r\n", ProbeResponseError.malformedStatusLine),
        ("HTTP/1.1 20 OK\r\n\r\n", .malformedStatusLine),
        ("HTTP/1.1 600 Odd\r\n\r\n", .malformedStatusLine),
        ("HTTP/1.1 200OK\r\n\r\n", .malformedStatusLine),
        ("HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", .malformedHeader),
        ("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", .malformedHeader),
        ("HTTP/1.1 200 OK\r\nX: a\n\r\n", .malformedHeader),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .invalidContentLength),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", .invalidChunk),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX", .invalidChunk),
        ("HTTP/1.1 101 Switching Protocols\r\n\r\n", .unexpectedUpgrade),
    ])
    func malformedResponsesAreErrors(_ text: String, _ expected: ProbeResponseError) {
        #expect(throws: expected) { try parse(text) }
    }

    @Test func anOverlongHeadIsAnError() {
        let text = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "a", count: HTTPProbeResponseParser.headLimit) + "\r\n\r\n"
        #expect(throws: ProbeResponseError.headTooLarge) { try parse(text, chunk: 4096) }
    }

    @Test func aConnectionClosedMidResponseIsAnError() {
        #expect(throws: ProbeResponseError.closedMidResponse) {
            try parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", close: true)
        }
    }

    @Test func randomBytesNeverTrap() throws {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("HTTP/1.1 200 OK\r\n:;0123456789abcdefContent-Length Transfer-Encoding chunked".utf8)
        for _ in 0..<2000 {
            var parser = HTTPProbeResponseParser(keepsBody: true)
            var buffer = ByteBuffer(bytes: (0..<Int.random(in: 0...300, using: &random)).map { _ in
                Bool.random(using: &random) ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            })
            _ = try? parser.parse(&buffer)
            _ = try? parser.connectionClosed()
        }
    }
}

extension HTTPProbeResponseParserTests {
    @Test func aResponseToHEADHasNoBodyWhateverItsLength() throws {
        var parser = HTTPProbeResponseParser(keepsBody: false, headRequest: true)
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 503 No\r\nContent-Length: 9\r\n\r\n")
        #expect(try parser.parse(&buffer)?.status == 200)
        #expect(try parser.parse(&buffer)?.status == 503)
    }
}
