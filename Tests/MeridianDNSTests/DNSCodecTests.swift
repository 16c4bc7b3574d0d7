import MeridianCore
import NIOCore
import Testing
@testable import MeridianDNS

/// Builds raw packets byte by byte, for the cases an encoder would never produce.
struct Packet {
    var bytes: [UInt8] = []

    static func header(id: UInt16 = 0x1234, flags: UInt16 = 0x0100, qd: UInt16 = 1, an: UInt16 = 0, ns: UInt16 = 0,
                       ar: UInt16 = 0) -> Packet {
        var packet = Packet()
        for value in [id, flags, qd, an, ns, ar] { packet.u16(value) }
        return packet
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }
    mutating func u32(_ value: UInt32) { u16(UInt16(value >> 16)); u16(UInt16(value & 0xFFFF)) }
    mutating func name(_ text: String) {
        for label in text.split(separator: ".") {
            u8(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        u8(0)
    }
    mutating func question(_ text: String, type: UInt16 = 1, klass: UInt16 = 1) {
        name(text)
        u16(type)
        u16(klass)
    }
    /// An OPT record with the given option bytes.
    mutating func opt(payload: UInt16 = 1232, ttl: UInt32 = 0, options: [UInt8] = []) {
        u8(0)
        u16(41)
        u16(payload)
        u32(ttl)
        u16(UInt16(options.count))
        bytes += options
    }

    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }
}

/// An ECS option: code 8, length, family, source, scope, address bytes.
func ecsOption(family: UInt16, source: UInt8, scope: UInt8 = 0, address: [UInt8]) -> [UInt8] {
    var packet = Packet()
    packet.u16(8)
    packet.u16(UInt16(4 + address.count))
    packet.u16(family)
    packet.u8(source)
    packet.u8(scope)
    return packet.bytes + address
}

struct DNSCodecTests {
    private func decode(_ packet: Packet) throws(DNSDecodingError) -> DNSMessage {
        try DNSMessage(decoding: packet.buffer)
    }

    @Test func aQueryFromTheWireDecodes() throws {
        var packet = Packet.header(ar: 1)
        packet.question("API.Example.TEST")
        packet.opt(payload: 4096, ttl: 0x0000_8000, options: ecsOption(family: 1, source: 24, address: [10, 34, 7]))
        let message = try decode(packet)
        #expect(message.header.id == 0x1234 && message.header.recursionDesired && !message.header.isResponse)
        #expect(message.questions.count == 1)
        #expect(message.questions[0].name.description == "API.Example.TEST.")
        #expect(message.questions[0].name == DNSName("api.example.test")!)
        #expect(message.questions[0].type == .a && message.questions[0].recordClass == .internet)
        #expect(message.edns?.udpPayloadSize == 4096 && message.edns?.dnssecOK == true && message.edns?.version == 0)
        #expect(message.edns?.clientSubnet == ClientSubnet(address: IPAddress("10.34.7.0")!, sourcePrefixLength: 24))
    }

    @Test func everyRecordTypeRoundTripsWithCompression() throws {
        let zone = DNSName("example.test")!
        let soa = SOAData(primary: DNSName("ns-istanbul.example.test")!, mailbox: DNSName("hostmaster.example.test")!,
                          serial: 2026112501, refresh: 3600, retry: 600, expire: 86400, minimum: 30)
        var header = DNSHeader(id: 7, isResponse: true, authoritative: true, recursionDesired: true)
        header.responseCode = 0
        let message = DNSMessage(
            header: header,
            questions: [Question(name: DNSName("Api.Example.Test")!, type: .any)],
            answers: [
                ResourceRecord(name: DNSName("api.example.test")!, ttl: 30, data: .a(IPAddress("127.0.1.1")!)),
                ResourceRecord(name: DNSName("api.example.test")!, ttl: 30, data: .aaaa(IPAddress("2001:db8::1")!)),
                ResourceRecord(name: DNSName("_explain.api.example.test")!, ttl: 0, data: .text(["istanbul", String(repeating: "x", count: 300)])),
            ],
            authority: [ResourceRecord(name: zone, ttl: 3600, data: .ns(DNSName("ns-istanbul.example.test")!)),
                        ResourceRecord(name: zone, ttl: 30, data: .soa(soa))],
            additional: [ResourceRecord(name: DNSName("ns-istanbul.example.test")!, ttl: 3600, data: .a(IPAddress("192.0.2.53")!))],
            edns: EDNS(udpPayloadSize: 1232, dnssecOK: true,
                       clientSubnet: ClientSubnet(address: IPAddress("2001:db8:34::")!, sourcePrefixLength: 48, scopePrefixLength: 48)))
        let encoded = message.encoded()
        let decoded = try DNSMessage(decoding: encoded)
        #expect(decoded.questions == message.questions)
        #expect(decoded.answers == message.answers)
        #expect(decoded.authority == message.authority)
        #expect(decoded.additional == message.additional)
        #expect(decoded.edns == message.edns)
        #expect(decoded.header.authoritative && decoded.header.isResponse && decoded.header.answerCount == 3)
        // Compression: "example.test" is written once, so the message is far smaller than uncompressed.
        let uncompressed = ([message.questions[0].name] + (message.answers + message.authority + message.additional).map(\.name))
            .map(\.wireLength).reduce(0, +)
        #expect(encoded.readableBytes < 12 + uncompressed + 400)
        let text = String(decoding: encoded.readableBytesView, as: UTF8.self).lowercased()
        #expect(text.components(separatedBy: "example").count - 1 == 1)
        // The 300-byte text is split into strings of at most 255 bytes.
        if case .txt(let strings) = decoded.answers[2].data { #expect(strings.map(\.count) == [8, 255, 45]) }
    }

    @Test func namesCompareIgnoringCaseButKeepIt() {
        let mixed = DNSName("Api.EXAMPLE.test.")!
        #expect(mixed == DNSName("api.example.test")!)
        #expect(mixed.hashValue == DNSName("api.example.test")!.hashValue)
        #expect(mixed.description == "Api.EXAMPLE.test.")
        #expect(mixed.isWithin(DNSName("example.TEST")!) && mixed.isWithin(.root) && !mixed.isWithin(DNSName("other.test")!))
        #expect(DNSName(String(repeating: "a", count: 64) + ".test") == nil)
        #expect(DNSName(Array(repeating: "abcdefghi", count: 26).joined(separator: ".")) == nil)
        #expect(DNSName("a..b") == nil)
        #expect(DNSName(labels: [[0x2E, 0x41], [0x20]])?.description == "\\.A.\\032.")
    }

    @Test func aTruncatedHeaderIsTheOneErrorWithNoIDToAnswer() {
        #expect(throws: DNSDecodingError.truncatedHeader) { try DNSMessage(decoding: ByteBuffer(bytes: [0x12, 0x34, 0x01])) }
        #expect(throws: DNSDecodingError.truncatedHeader) { try DNSHeader(peeking: ByteBuffer(bytes: Array(repeating: 0, count: 11))) }
    }

    @Test func malformedNamesAreRejected() {
        var truncated = Packet.header()
        truncated.bytes += [3, 0x61, 0x70]
        #expect(throws: DNSDecodingError.truncated("name")) { try decode(truncated) }

        var reservedType = Packet.header()
        reservedType.bytes += [0x40, 0x00]
        #expect(throws: DNSDecodingError.badLabelType) { try decode(reservedType) }

        var selfPointer = Packet.header()
        selfPointer.bytes += [0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSDecodingError.badPointer) { try decode(selfPointer) }

        var forward = Packet.header()
        forward.bytes += [0xC0, 20, 0, 1, 0, 1]
        #expect(throws: DNSDecodingError.badPointer) { try decode(forward) }

        // A loop that only ever points backwards: the answer's name (at 19) is label 'b' and then a
        // pointer to 19, which is before the pointer but not before the name's own start.
        var loop = Packet.header(an: 1)
        loop.question("a")                           // 12..<19: 1 'a' 0, type, class
        loop.bytes += [1, 0x62, 0xC0, 19]             // 19: label 'b', then a pointer back to 19
        loop.bytes += [0, 1, 0, 1, 0, 0, 0, 0, 0, 0]
        #expect(throws: DNSDecodingError.badPointer) { try decode(loop) }

        var long = Packet.header()
        for _ in 0..<5 { long.bytes += [63] + Array(repeating: 0x61, count: 63) }
        long.bytes += [0, 0, 1, 0, 1]
        #expect(throws: DNSDecodingError.nameTooLong) { try decode(long) }
    }

    @Test func compressionPointersBackwardsAreFollowed() throws {
        var packet = Packet.header(an: 1)
        packet.question("api.example.test")
        packet.bytes += [0xC0, 12]                    // the question's name
        packet.u16(1); packet.u16(1); packet.u32(30); packet.u16(4)
        packet.bytes += [127, 0, 1, 1]
        let message = try decode(packet)
        #expect(message.answers[0].name == DNSName("api.example.test")!)
        #expect(message.answers[0].data == .a(IPAddress("127.0.1.1")!))
    }

    @Test func malformedRecordsAndSectionsAreRejected() {
        var shortA = Packet.header(an: 1)
        shortA.question("a.test")
        shortA.name("a.test"); shortA.u16(1); shortA.u16(1); shortA.u32(1); shortA.u16(3); shortA.bytes += [1, 2, 3]
        #expect(throws: DNSDecodingError.recordDataLength(.a)) { try decode(shortA) }

        var overlong = Packet.header(an: 1)
        overlong.question("a.test")
        overlong.name("a.test"); overlong.u16(1); overlong.u16(1); overlong.u32(1); overlong.u16(40); overlong.bytes += [1, 2, 3, 4]
        #expect(throws: DNSDecodingError.truncated("record data")) { try decode(overlong) }

        var missingQuestion = Packet.header(qd: 2)
        missingQuestion.question("a.test")
        #expect(throws: DNSDecodingError.truncated("name")) { try decode(missingQuestion) }

        var trailing = Packet.header()
        trailing.question("a.test")
        trailing.u8(0)
        #expect(throws: DNSDecodingError.trailingBytes) { try decode(trailing) }
    }

    @Test func optMustBeSingleRootAndInTheAdditionalSection() {
        var inAnswers = Packet.header(an: 1)
        inAnswers.question("a.test")
        inAnswers.opt()
        #expect(throws: DNSDecodingError.misplacedOPT) { try decode(inAnswers) }

        var twice = Packet.header(ar: 2)
        twice.question("a.test")
        twice.opt()
        twice.opt()
        #expect(throws: DNSDecodingError.duplicateOPT) { try decode(twice) }

        var named = Packet.header(ar: 1)
        named.question("a.test")
        named.name("a.test"); named.u16(41); named.u16(1232); named.u32(0); named.u16(0)
        #expect(throws: DNSDecodingError.misplacedOPT) { try decode(named) }
    }

    @Test func unknownOptionsAreIgnoredAndVersionsRead() throws {
        var packet = Packet.header(ar: 1)
        packet.question("a.test")
        packet.opt(ttl: 0x0001_0000, options: [0x00, 0x0A, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8])  // a cookie
        let edns = try #require(try decode(packet).edns)
        #expect(edns.version == 1 && edns.clientSubnet == nil)
    }

    @Test func nsidIsReadAndWrittenBesideTheClientSubnet() throws {
        var packet = Packet.header(ar: 1)
        packet.question("a.test")
        packet.opt(options: [0x00, 0x03, 0x00, 0x00] + ecsOption(family: 1, source: 8, address: [10]))
        let asked = try #require(try decode(packet).edns)
        #expect(asked.nsid == [] && asked.clientSubnet?.sourcePrefixLength == 8, "an empty NSID asks for the identifier")

        let subnet = ClientSubnet(address: IPAddress("10.0.0.0")!, sourcePrefixLength: 8, scopePrefixLength: 8)
        let response = DNSMessage(header: DNSHeader(id: 7, isResponse: true), questions: [Question(name: DNSName("a.test")!, type: .a)],
                                  edns: EDNS(clientSubnet: subnet, nsid: Array("ist-a".utf8)))
        let decoded = try DNSMessage(decoding: response.encoded())
        #expect(decoded.edns?.nsid == Array("ist-a".utf8) && decoded.edns?.clientSubnet == subnet)
        #expect(try DNSMessage(decoding: DNSMessage(header: DNSHeader(id: 8), edns: EDNS()).encoded()).edns?.nsid == nil)
    }

    @Test(arguments: [
        (ecsOption(family: 3, source: 8, address: [10]), "unknown family 3"),
        (ecsOption(family: 1, source: 33, address: [10, 0, 0, 0, 0]), "prefix longer than the address"),
        (ecsOption(family: 1, source: 24, address: [10, 34]), "2 address bytes for a /24 prefix"),
        (ecsOption(family: 1, source: 20, address: [10, 34, 0x0F]), "address bits set past the source prefix"),
        (ecsOption(family: 2, source: 48, address: [0x20, 0x01, 0x0d, 0xb8]), "4 address bytes for a /48 prefix"),
        ([0x00, 0x08, 0x00, 0x02, 0x00, 0x01], "shorter than 4 bytes"),
        (ecsOption(family: 1, source: 8, address: [10]) + ecsOption(family: 1, source: 8, address: [10]), "given twice"),
    ])
    func badClientSubnetsAreRejected(_ option: [UInt8], _ reason: String) {
        var packet = Packet.header(ar: 1)
        packet.question("a.test")
        packet.opt(options: option)
        #expect(throws: DNSDecodingError.badClientSubnet(reason)) { try decode(packet) }
    }

    @Test func aResponseTooLargeForUDPIsTruncatedToItsQuestion() throws {
        let name = DNSName("big.example.test")!
        let message = DNSMessage(
            header: DNSHeader(id: 9, isResponse: true, authoritative: true),
            questions: [Question(name: name, type: .a)],
            answers: (1...60).map { ResourceRecord(name: name, ttl: 30, data: .a(.v4(0x7F00_0000 | UInt32($0)))) },
            edns: EDNS())
        #expect(message.encoded().readableBytes > 512)
        let small = try DNSMessage(decoding: message.encoded(maximumSize: 512))
        #expect(small.header.truncated && small.answers.isEmpty && small.questions.count == 1 && small.edns != nil)
        #expect(try DNSMessage(decoding: message.encoded(maximumSize: 4096)).answers.count == 60)
    }

    @Test func randomAndMutatedPacketsNeverTrap() {
        var random = SystemRandomNumberGenerator()
        var seed = Packet.header(an: 1, ar: 1)
        seed.question("api.example.test")
        seed.bytes += [0xC0, 12]
        seed.u16(1); seed.u16(1); seed.u32(30); seed.u16(4); seed.bytes += [127, 0, 1, 1]
        seed.opt(options: ecsOption(family: 1, source: 24, address: [10, 34, 7]))
        for round in 0..<20_000 {
            var bytes = seed.bytes
            if round % 4 == 0 {
                bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0...2, using: &random) {
                    case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                    case 1: bytes.remove(at: index)
                    default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                    }
                }
            }
            if let message = try? DNSMessage(decoding: ByteBuffer(bytes: bytes)) {
                // Whatever decodes also encodes and decodes again.
                _ = try? DNSMessage(decoding: message.encoded())
            }
        }
    }
}
