import Foundation
import MeridianCore
import NIOCore
import MeridianTesting
import Testing
@testable import MeridianDNS

/// Queries built to make answers larger than their transport can carry, and the pieces that keep
/// every answer inside its limit: the encoder's fallbacks, FORMERR without questions, the truncated
/// answer of rate limiting and the TCP stream framer.
struct DNSHostileInputTests {
    let world = DNSResponderTests()

    @Test func aQueryOfManyQuestionsGetsAFormatErrorThatEchoesNone() throws {
        for size in [300, 600, 20_000, 65535] {
            let query = ByteBuffer(bytes: HostileQueries.expandingQuestions(size: size))
            #expect(query.readableBytes <= size && query.readableBytes > size - 6)
            // Echoing the questions, as FORMERR did, would have answered with far more than 64 KiB.
            if size == 65535 {
                var echoed = ByteBuffer()
                try DNSMessage(header: DNSHeader(id: 1, isResponse: true), questions: try DNSMessage(decoding: query).questions).write(to: &echoed)
                #expect(echoed.readableBytes > 65535)
            }
            for transport in [DNSResponder.Transport.udp, .tcp] {
                let response = try #require(world.responder.respond(to: query, from: IPAddress("127.0.0.1")!, over: transport,
                                                                    snapshot: world.snapshot()))
                let message = try DNSMessage(decoding: response.bytes)
                #expect(message.responseCode == .formatError && message.questions.isEmpty && message.header.id == 0x1234)
                #expect(response.bytes.readableBytes <= 512)
            }
        }
    }

    @Test func anAnswerThatDoesNotFitIsTruncatedAndTheFallbackIsCheckedToo() throws {
        let name = DNSName("many.example.test")!
        let records = (0..<300).map { ResourceRecord(name: name, ttl: 1, data: .a(.v4(UInt32($0)))) }
        var message = DNSMessage(header: DNSHeader(id: 7, isResponse: true), questions: [Question(name: name, type: .a)],
                                 answers: records, edns: EDNS())
        let small = try DNSMessage(decoding: message.encoded(maximumSize: 512))
        #expect(small.header.truncated && small.answers.isEmpty && small.questions.count == 1 && small.edns != nil)

        // Questions that alone exceed the limit are left out as well, and then EDNS.
        message.questions = (0..<40).map { Question(name: DNSName(String(repeating: "a", count: 40) + ".q\($0).test")!, type: .a) }
        let withoutQuestions = message.encoded(maximumSize: 512)
        #expect(withoutQuestions.readableBytes <= 512)
        let decoded = try DNSMessage(decoding: withoutQuestions)
        #expect(decoded.header.truncated && decoded.questions.isEmpty && decoded.header.id == 7)
        #expect(message.encoded(maximumSize: 12).readableBytes == 12)
    }

    @Test func recordDataLongerThanItsLengthFieldIsNotEncoded() throws {
        let name = DNSName("long.example.test")!
        let text = ResourceRecord(name: name, ttl: 0, data: .txt([[UInt8]](repeating: [UInt8](repeating: 0x78, count: 255), count: 300)))
        let message = DNSMessage(header: DNSHeader(id: 9, isResponse: true), questions: [Question(name: name, type: .txt)],
                                 answers: [text])
        var buffer = ByteBuffer()
        #expect(throws: DNSEncodingError.recordDataTooLong(.txt)) { try message.write(to: &buffer) }
        let encoded = message.encoded()
        #expect(encoded.readableBytes <= 65535)
        #expect(try DNSMessage(decoding: encoded).header.truncated)
    }

    @Test func theTruncatedAnswerOfRateLimitingEchoesTheQuestionOnly() throws {
        let query = world.query("api.example.test", edns: world.subnet("10.34.0.0/16"))
        let bytes = Array(query.readableBytesView)
        var output = [UInt8](repeating: 0xFF, count: 1232)
        let length = try #require(bytes.withUnsafeBytes { query in
            output.withUnsafeMutableBytes { TruncatedAnswer.write(for: query, into: $0) }
        })
        #expect(length == 12 + DNSName("api.example.test")!.wireLength + 4 && length < bytes.count)
        let answer = try DNSMessage(decoding: ByteBuffer(bytes: output[0..<length]))
        #expect(answer.header.isResponse && answer.header.truncated && answer.header.id == 0xBEEF)
        #expect(answer.header.recursionDesired && answer.responseCode == .noError)
        #expect(answer.questions == [Question(name: DNSName("api.example.test")!, type: .a)] && answer.answers.isEmpty)

        for garbage: [UInt8] in [[1, 2, 3], Array(bytes[0..<20]), [0, 1, 1, 0, 0, 2] + Array(bytes[6...])] {
            #expect(garbage.withUnsafeBytes { query in output.withUnsafeMutableBytes { TruncatedAnswer.write(for: query, into: $0) } } == nil)
        }
    }

    @Test func explainIsAskedOverTCPUnlessTheClientMayUseUDP() throws {
        let explain = world.query("_explain.api.example.test", .txt)
        let overUDP = try world.ask(explain, from: "192.0.2.1")
        #expect(overUDP.header.truncated && overUDP.answers.isEmpty && overUDP.responseCode == .noError)
        #expect(try world.ask(explain, from: "192.0.2.1", over: .tcp).answers.count == 1)

        let listed = DNSResponder(zone: world.responder.zone, options: .init(explainOverUDP: [try IPPrefix.parse("192.0.2.0/24").get()],
                                                                            identity: "istanbul", version: "0.1.0"))
        #expect(try world.ask(explain, from: "192.0.2.1", responder: listed).answers.count == 1)
        #expect(try world.ask(explain, from: "198.51.100.1", responder: listed).header.truncated)
    }

    @Test func theStreamFramerFindsEveryMessageHoweverTheBytesArrive() {
        let messages = (0..<50).map { index in [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: index * 37 % 700) }
        var stream: [UInt8] = []
        for message in messages { stream += [UInt8(message.count >> 8), UInt8(truncatingIfNeeded: message.count)] + message }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var framer = DNSStreamFramer()
            var found: [[UInt8]] = []
            var offset = 0
            while offset < stream.count {
                let piece = min(Int.random(in: 1...900, using: &generator), stream.count - offset)
                framer.append(ByteBuffer(bytes: stream[offset..<offset + piece]))
                offset += piece
                while let message = framer.next() { found.append(Array(message.readableBytesView)) }
            }
            #expect(found == messages && framer.bufferedBytes == 0)
        }
        var partial = DNSStreamFramer()
        partial.append(ByteBuffer(bytes: [0x01, 0x00, 0xAA]))
        #expect(partial.next() == nil && partial.bufferedBytes == 3)
    }
}
