import MeridianCore
import NIOCore
import Testing
@testable import MeridianDNS

/// The fast path must give exactly the answers the responder gives, for every query it takes.
struct DNSFastPathTests {
    let base = DNSResponderTests()

    private func fastAnswer(_ fast: DNSFastPath, _ query: ByteBuffer, from client: IPAddress,
                            over transport: DNSResponder.Transport) -> (ByteBuffer, DNSFastPath.Answer)? {
        var output = [UInt8](repeating: 0, count: 65535)
        let answer = query.withUnsafeReadableBytes { bytes in
            output.withUnsafeMutableBytes { fast.answer(bytes, from: client, over: transport, into: $0) }
        }
        return answer.map { (ByteBuffer(bytes: output[..<$0.length]), $0) }
    }

    @Test(arguments: [Set<String>(), ["ist-1", "ist-2"], ["ist-1", "ist-2", "ank-1", "ank-2"]])
    func theFastPathAnswersExactlyLikeTheResponder(_ down: Set<String>) throws {
        let snapshot = base.snapshot(down: down)
        let fast = DNSFastPath(responder: base.responder, snapshot: snapshot)
        var random = SystemRandomNumberGenerator()
        let names = ["api.example.test", "www.example.test", "pay.example.test", "edge.example.test", "example.test",
                     "nope.example.test", "example.com"]
        let subnets = ["10.34.0.0/16", "10.34.7.0/24", "10.6.0.0/16", "10.35.128.0/17", "198.51.100.0/24", "2001:db8:34::/48",
                       "2001:db8:6:1::/64", "0.0.0.0/0", "10.0.0.0/8"]
        let clients = ["127.0.0.1", "10.6.1.1", "198.51.100.9", "2001:db8:34::1"]
        var taken = 0
        for _ in 0..<3000 {
            let name = String(names.randomElement(using: &random)!.map { Bool.random(using: &random) ? Character($0.uppercased()) : $0 })
            let type: RecordType = [.a, .aaaa, .a, .txt].randomElement(using: &random)!
            var edns: EDNS?
            switch Int.random(in: 0...3, using: &random) {
            case 0: edns = nil
            case 1: edns = EDNS(udpPayloadSize: UInt16.random(in: 0...4096, using: &random), dnssecOK: Bool.random(using: &random))
            default:
                edns = base.subnet(subnets.randomElement(using: &random)!)
                edns?.dnssecOK = Bool.random(using: &random)
                edns?.udpPayloadSize = [512, 1232, 4096].randomElement(using: &random)!
            }
            var header = DNSHeader(id: UInt16.random(in: 0...UInt16.max, using: &random), recursionDesired: Bool.random(using: &random))
            header.checkingDisabled = Bool.random(using: &random)
            let query = DNSMessage(header: header, questions: [Question(name: DNSName(name)!, type: type)], edns: edns).encoded()
            let client = IPAddress(clients.randomElement(using: &random)!)!
            let transport: DNSResponder.Transport = Bool.random(using: &random) ? .udp : .tcp
            let slow = try #require(base.responder.respond(to: query, from: client, over: transport, snapshot: snapshot))
            guard let (bytes, answer) = fastAnswer(fast, query, from: client, over: transport) else { continue }
            taken += 1
            let expected = try DNSMessage(decoding: slow.bytes)
            let actual = try DNSMessage(decoding: bytes)
            #expect(actual == expected, "\(name) \(type) \(String(describing: edns)) from \(client)")
            let region = answer.regionIndex >= 0 ? fast.regionNames[answer.regionIndex] : nil
            #expect(region == slow.region && answer.usedClientSubnet == slow.usedClientSubnet)
            #expect(answer.queryType == slow.queryType)
        }
        #expect(taken > 800)
    }

    @Test func unusualQueriesAreLeftToTheResponder() throws {
        let fast = DNSFastPath(responder: base.responder, snapshot: base.snapshot())
        let client = IPAddress("127.0.0.1")!
        var scoped = base.subnet("10.34.0.0/16")
        scoped.clientSubnet?.scopePrefixLength = 8
        let cases: [ByteBuffer] = [
            base.query("api.example.test", edns: EDNS(version: 1)),
            base.query("api.example.test", edns: scoped),
            base.query("api.example.test", .mx),
            base.query("api.example.test", klass: .chaos),
            base.query("api.example.test", opcode: Opcode(rawValue: 2)),
            base.query("example.test", .a),
        ]
        for query in cases { #expect(fastAnswer(fast, query, from: client, over: .udp) == nil) }
        var trailing = base.query("api.example.test")
        trailing.writeInteger(UInt8(0))
        #expect(fastAnswer(fast, trailing, from: client, over: .udp) == nil)
        #expect(fastAnswer(fast, ByteBuffer(bytes: [1, 2, 3]), from: client, over: .udp) == nil)
    }
}
