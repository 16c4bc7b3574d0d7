import Foundation
import MeridianCore
import NIOCore
import Testing
@testable import MeridianDNS

/// Authoritative answering over the shipped regions/, with no sockets: query bytes in, response bytes out.
struct DNSResponderTests {
    static let regions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("regions").path
    static let configuration = try! ConfigurationLoader.load(directory: regions)
    static let now = Timestamp(secondsSinceEpoch: 1_800_000_000)

    let responder = DNSResponder(zone: AuthoritativeZone(configuration, serial: 2026112501),
                                 options: .init(identity: "istanbul", version: "0.1.0"))

    /// The snapshot with the gateways in `down` seen down by every director and the rest up.
    func snapshot(down: Set<String> = [], configuration: Configuration = configuration) -> SteeringSnapshot {
        let observations = configuration.gateways.flatMap { gateway in
            configuration.directors.map {
                Observation(gateway: gateway.name, observer: $0.endpoints.name,
                            verdict: down.contains(gateway.name.rawValue) ? .down : .up, at: Self.now)
            }
        }
        let assessment = Assessment.make(configuration, observations: observations, overrides: [], vantage: "ist-a",
                                         now: Self.now)
        return SteeringSnapshot(assessment: assessment, locator: ClientLocator(configuration),
                                vantage: configuration.region("istanbul"))
    }

    func query(_ name: String, _ type: RecordType = .a, klass: RecordClass = .internet, edns: EDNS? = EDNS(),
               id: UInt16 = 0xBEEF, opcode: Opcode = .query) -> ByteBuffer {
        DNSMessage(header: DNSHeader(id: id, opcode: opcode, recursionDesired: true),
                   questions: [Question(name: DNSName(name)!, type: type, recordClass: klass)], edns: edns).encoded()
    }

    func ask(_ packet: ByteBuffer, from client: String = "127.0.0.1", over transport: DNSResponder.Transport = .udp,
             snapshot: SteeringSnapshot? = nil, responder: DNSResponder? = nil) throws -> DNSMessage {
        let answer = try #require((responder ?? self.responder).respond(to: packet, from: IPAddress(client)!, over: transport,
                                                                          snapshot: snapshot ?? self.snapshot()))
        return try DNSMessage(decoding: answer.bytes)
    }

    func addresses(_ message: DNSMessage) -> [String] {
        message.answers.compactMap { record -> String? in
            switch record.data {
            case .a(let address), .aaaa(let address): address.description
            default: nil
            }
        }.sorted()
    }

    func subnet(_ text: String) -> EDNS {
        let prefix = try! IPPrefix.parse(text).get()
        return EDNS(clientSubnet: ClientSubnet(address: prefix.address, sourcePrefixLength: UInt8(prefix.length)))
    }

    @Test func eachRegionsNetworkGetsItsOwnGatewaysWithTheScopeUsed() throws {
        let istanbul = try ask(query("api.example.test", edns: subnet("10.34.0.0/16")))
        #expect(addresses(istanbul) == ["127.0.1.1", "127.0.1.2"])
        #expect(istanbul.header.authoritative && istanbul.header.recursionDesired && !istanbul.header.recursionAvailable)
        #expect(istanbul.header.id == 0xBEEF && istanbul.responseCode == .noError)
        #expect(istanbul.answers.allSatisfy { $0.ttl == 10 })
        #expect(istanbul.edns?.clientSubnet?.scopePrefixLength == 16)

        let ankara = try ask(query("api.example.test", edns: subnet("10.6.7.0/24")))
        #expect(addresses(ankara) == ["127.0.2.1", "127.0.2.2"])
        #expect(ankara.edns?.clientSubnet?.sourcePrefixLength == 24 && ankara.edns?.clientSubnet?.scopePrefixLength == 16)
    }

    @Test func withoutClientSubnetTheSourceAddressLocatesTheClient() throws {
        #expect(addresses(try ask(query("api.example.test", edns: nil), from: "127.0.0.1")) == ["127.0.1.1", "127.0.1.2"])
        #expect(addresses(try ask(query("api.example.test", edns: nil), from: "10.6.1.1")) == ["127.0.2.1", "127.0.2.2"])
        // A /0 subnet means "do not use my address": the source is used, and the scope stays 0.
        let zero = try ask(query("api.example.test", edns: subnet("0.0.0.0/0")), from: "10.6.1.1")
        #expect(addresses(zero) == ["127.0.2.1", "127.0.2.2"] && zero.edns?.clientSubnet?.scopePrefixLength == 0)
    }

    @Test func whenIstanbulFailsItsClientsMoveToIzmirUpToItsWatermarkAndTheRestToAnkara() throws {
        let failed = snapshot(down: ["ist-1", "ist-2"])
        let sites = [["127.0.4.1"]: "izmir", ["127.0.2.1", "127.0.2.2"]: "ankara"]
        // Clients of Istanbul's network, one /32 each: Izmir keeps about half, Ankara takes the rest.
        var seen: [String: Int] = [:]
        for host in 1...200 {
            let answer = addresses(try ask(query("api.example.test", edns: subnet("10.34.1.\(host)/32")), snapshot: failed))
            seen[sites[answer] ?? "elsewhere: \(answer)", default: 0] += 1
        }
        #expect(seen.keys.sorted() == ["ankara", "izmir"] && seen.values.allSatisfy { $0 > 60 }, "\(seen)")
        let answer = addresses(try ask(query("api.example.test", edns: subnet("10.34.0.0/16")), snapshot: failed))
        let region = try #require(sites[answer], "\(answer)")
        let explain = try ask(query("_explain.api.example.test", .txt, edns: subnet("10.34.0.0/16")), over: .tcp, snapshot: failed)
        let text = explain.answers.flatMap { record -> [String] in
            if case .txt(let strings) = record.data { return strings.map { String(decoding: $0, as: UTF8.self) } }
            return []
        }
        #expect(text.contains { $0.hasPrefix("answer \(region): ") && answer.allSatisfy($0.contains) }, "\(text)")
        #expect(text.contains { $0.contains("izmir is over its high watermark") }, "\(text)")
        #expect(text.contains { $0.hasPrefix("candidate istanbul unavailable") })
        #expect(text.contains("client network istanbul-metro (10.34.0.0/16)"))
        #expect(explain.answers.first?.ttl == 0)
    }

    @Test func negativeAnswersCarryTheSOA() throws {
        let nodata = try ask(query("api.example.test", .aaaa))
        #expect(nodata.responseCode == .noError && nodata.answers.isEmpty && nodata.header.authoritative)
        #expect(nodata.authority.first?.type == .soa && nodata.authority.first?.ttl == 30)
        let nxdomain = try ask(query("nope.example.test"))
        #expect(nxdomain.responseCode == .nameError && nxdomain.authority.first?.type == .soa)
        let mx = try ask(query("api.example.test", .mx))
        #expect(mx.responseCode == .noError && mx.answers.isEmpty)
        let otherType = try ask(query("ns-ist-a.example.test", .txt))
        #expect(otherType.responseCode == .noError && otherType.answers.isEmpty)
    }

    @Test func anEmptyNonTerminalIsNODATANotNXDOMAIN() throws {
        var configuration = Self.configuration
        configuration.services[0].fqdn = DomainName("v1.api.example.test")!
        let nested = DNSResponder(zone: AuthoritativeZone(configuration, serial: 1), options: responder.options)
        let ent = try ask(query("api.example.test"), snapshot: snapshot(configuration: configuration), responder: nested)
        #expect(ent.responseCode == .noError && ent.answers.isEmpty && ent.authority.first?.type == .soa)
        #expect(addresses(try ask(query("v1.api.example.test"), snapshot: snapshot(configuration: configuration),
                                  responder: nested)).count == 2)
    }

    @Test func theApexHasSOAAndNameServersWithGlue() throws {
        let soa = try ask(query("example.test", .soa))
        guard case .soa(let data) = soa.answers.first?.data else {
            Issue.record("no SOA")
            return
        }
        #expect(data.primary == DNSName("ns-ankara.example.test")! && data.serial == 2026112501 && data.minimum == 30)
        let ns = try ask(query("example.test", .ns))
        #expect(ns.answers.count == 4 && ns.additional.count == 4, "one per director: ist-a, ist-b, ankara, izmir")
        #expect(ns.additional.allSatisfy { $0.data == .a(IPAddress("127.0.0.1")!) })
        #expect(addresses(try ask(query("ns-ist-b.example.test"))) == ["127.0.0.1"])
    }

    @Test func everyDirectorIsANameServerWithItsGlue() throws {
        var configuration = Self.configuration
        let istanbul = try #require(configuration.regions.firstIndex { $0.name == "istanbul" })
        configuration.regions[istanbul].directors = [
            DirectorEndpoints(name: "ist-a", dns: SocketAddress("192.0.2.10:53")!, redirect: SocketAddress("192.0.2.10:80")!,
                              api: SocketAddress("10.0.0.10:8053")!),
            DirectorEndpoints(name: "ist-b", dns: SocketAddress("192.0.2.11:53")!, redirect: SocketAddress("192.0.2.11:80")!,
                              api: SocketAddress("10.0.0.11:8053")!),
        ]
        let responder = DNSResponder(zone: AuthoritativeZone(configuration, serial: 1), options: .init(identity: "ist-a", version: "0.1.0"))
        let ns = try ask(query("example.test", .ns), snapshot: snapshot(configuration: configuration), responder: responder)
        let servers = ns.answers.compactMap { record -> String? in
            if case .ns(let name) = record.data { return name.description }
            return nil
        }
        #expect(Set(servers) == ["ns-ankara.example.test.", "ns-ist-a.example.test.", "ns-ist-b.example.test.", "ns-izmir.example.test."],
                "\(servers)")
        let glue = try ask(query("ns-ist-b.example.test"), snapshot: snapshot(configuration: configuration), responder: responder)
        #expect(addresses(glue) == ["192.0.2.11"])
    }

    @Test func outsideTheZoneIsRefusedAndNoRecursionIsOffered() throws {
        let refused = try ask(query("example.com"))
        #expect(refused.responseCode == .refused && !refused.header.authoritative && !refused.header.recursionAvailable)
        #expect(try ask(query("example.test", .axfr), over: .tcp).responseCode == .refused)
        #expect(try ask(query("example.test", klass: RecordClass(rawValue: 4))).responseCode == .refused)
    }

    @Test func otherOpcodesAreNotImplementedAndMalformedQueriesFormatErrors() throws {
        let notify = try ask(query("example.test", opcode: Opcode(rawValue: 2)))
        #expect(notify.responseCode == .notImplemented && notify.questions.count == 1)

        var garbage = query("api.example.test")
        garbage.writeBytes([1, 2, 3])
        let formerr = try ask(garbage)
        #expect(formerr.responseCode == .formatError && formerr.header.id == 0xBEEF)

        let two = DNSMessage(header: DNSHeader(id: 1), questions: [Question(name: DNSName("a.example.test")!, type: .a),
                                                                  Question(name: DNSName("b.example.test")!, type: .a)]).encoded()
        #expect(try ask(two).responseCode == .formatError)

        var scoped = subnet("10.34.0.0/16")
        scoped.clientSubnet?.scopePrefixLength = 16
        #expect(try ask(query("api.example.test", edns: scoped)).responseCode == .formatError)

        #expect(responder.respond(to: ByteBuffer(bytes: [1, 2, 3]), from: IPAddress("127.0.0.1")!, over: .udp, snapshot: snapshot()) == nil)
        var response = DNSMessage(header: DNSHeader(id: 3, isResponse: true), questions: [Question(name: DNSName("example.test")!, type: .a)])
        response.header.isResponse = true
        #expect(responder.respond(to: response.encoded(), from: IPAddress("127.0.0.1")!, over: .udp, snapshot: snapshot()) == nil)
    }

    @Test func anUnknownEDNSVersionIsBADVERS() throws {
        let answer = try ask(query("api.example.test", edns: EDNS(version: 1)))
        #expect(answer.responseCode == .badVersion && answer.edns?.version == 0 && answer.answers.isEmpty)
    }

    @Test func theQuestionIsEchoedWithItsLetterCaseAndDOCopied() throws {
        let answer = try ask(query("API.Example.TEST", edns: EDNS(dnssecOK: true)))
        #expect(answer.questions.first?.name.description == "API.Example.TEST.")
        #expect(answer.edns?.dnssecOK == true && answer.edns?.udpPayloadSize == 1232)
        #expect(addresses(answer).count == 2)
    }

    @Test func anyIsAnsweredMinimally() throws {
        let service = try ask(query("api.example.test", .any))
        #expect(service.answers.allSatisfy { $0.type == .a } && service.answers.count == 2)
        let apex = try ask(query("example.test", .any))
        #expect(apex.answers.map(\.type) == [.soa])
    }

    @Test func identityAndVersionAnswerInChaosUnlessSwitchedOff() throws {
        let id = try ask(query("id.server", .txt, klass: .chaos))
        #expect(id.answers.first?.data == .text(["istanbul"]) && id.answers.first?.recordClass == .chaos)
        #expect(try ask(query("version.bind", .txt, klass: .chaos)).answers.first?.data == .text(["Meridian 0.1.0"]))
        #expect(try ask(query("secret.bind", .txt, klass: .chaos)).responseCode == .refused)
        let quiet = DNSResponder(zone: responder.zone, options: .init(explainRecords: false, identityRecords: false,
                                                                     identity: "istanbul", version: "0.1.0"))
        #expect(try ask(query("id.server", .txt, klass: .chaos), responder: quiet).responseCode == .refused)
        #expect(try ask(query("_explain.api.example.test", .txt), responder: quiet).responseCode == .nameError)
    }

    @Test func nsidNamesTheAnsweringDirectorWhenAskedUnlessIdentityIsOff() throws {
        let asking = EDNS(nsid: [])
        #expect(try ask(query("api.example.test", edns: asking)).edns?.nsid == Array("istanbul".utf8))
        #expect(try ask(query("nope.example.test", edns: asking)).edns?.nsid == Array("istanbul".utf8), "on NXDOMAIN too")
        #expect(try ask(query("api.example.test")).edns?.nsid == nil, "not asked, not given")
        let quiet = DNSResponder(zone: responder.zone, options: .init(identityRecords: false, identity: "istanbul", version: "0.1.0"))
        #expect(try ask(query("api.example.test", edns: asking), responder: quiet).edns?.nsid == nil)
    }

    @Test func largeAnswersTruncateOverUDPAndCompleteOverTCP() throws {
        var configuration = Self.configuration
        let index = configuration.regions.firstIndex { $0.name == "istanbul" }!
        let template = configuration.regions[index].gateways[0]
        configuration.regions[index].gateways = (1...60).map { number in
            var gateway = template
            gateway.name = GatewayName("ist-\(number)")!
            gateway.address = .v4(0x7F01_0000 | UInt32(number))
            return gateway
        }
        configuration.services[0].maxAnswers = 60
        let big = DNSResponder(zone: AuthoritativeZone(configuration, serial: 1), options: responder.options)
        let snapshot = snapshot(configuration: configuration)
        let plain = try ask(query("api.example.test", edns: nil), snapshot: snapshot, responder: big)
        #expect(plain.header.truncated && plain.answers.isEmpty)
        let edns = try ask(query("api.example.test", edns: EDNS(udpPayloadSize: 4096)), snapshot: snapshot, responder: big)
        #expect(!edns.header.truncated && edns.answers.count == 60)   // 60 A records fit in 1232 bytes
        let tcp = try ask(query("api.example.test", edns: nil), over: .tcp, snapshot: snapshot, responder: big)
        #expect(!tcp.header.truncated && tcp.answers.count == 60)
    }

    @Test func allDownBehavioursShowInDNS() throws {
        let everything: Set<String> = ["ist-1", "ist-2", "ank-1", "ank-2", "izm-1"]
        // pay is fail-closed: NODATA; www falls back to 127.0.3.1; api is fail-open: every gateway.
        let pay = try ask(query("pay.example.test"), snapshot: snapshot(down: everything))
        #expect(pay.responseCode == .noError && pay.answers.isEmpty && pay.authority.first?.type == .soa)
        #expect(addresses(try ask(query("www.example.test"), snapshot: snapshot(down: everything))) == ["127.0.3.1"])
        #expect(addresses(try ask(query("api.example.test"), snapshot: snapshot(down: everything))).count == 2)
    }
}
