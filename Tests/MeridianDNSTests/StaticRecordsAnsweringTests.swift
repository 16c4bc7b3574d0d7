import MeridianCore
import NIOCore
import Testing
@testable import MeridianDNS

/// The shipped zone's static records (`records:` in regions/global.yaml) answered by the responder:
/// each type, CNAMEs followed inside the zone, referrals for a delegation, and ANY kept minimal.
struct StaticRecordsAnsweringTests {
    let base = DNSResponderTests()

    func ask(_ name: String, _ type: RecordType, configuration: Configuration = DNSResponderTests.configuration,
             over transport: DNSResponder.Transport = .udp) throws -> DNSMessage {
        let responder = DNSResponder(zone: AuthoritativeZone(configuration, serial: 1), options: base.responder.options)
        return try base.ask(base.query(name, type), over: transport, snapshot: base.snapshot(configuration: configuration),
                            responder: responder)
    }

    func configuration(adding records: [String: [StaticRecordType: [String]]]) throws -> Configuration {
        var configuration = DNSResponderTests.configuration
        for (owner, types) in records {
            for (type, values) in types {
                configuration.records.append(StaticRecordSet(
                    owner: StaticRecordData.resolve(owner, in: configuration.zone)!, type: type, ttl: 300,
                    values: try values.map { try StaticRecordData.parse($0, as: type, zone: configuration.zone) }))
            }
        }
        return configuration
    }

    @Test(arguments: [(RecordType.mx, "example.test"), (.txt, "example.test"), (.caa, "example.test"),
                      (.srv, "_sip._tcp.example.test"), (.txt, "_acme-challenge.example.test")])
    func eachTypeIsAnsweredAuthoritatively(type: RecordType, name: String) throws {
        for transport in [DNSResponder.Transport.udp, .tcp] {
            let answer = try ask(name, type, over: transport)
            #expect(answer.header.authoritative && answer.responseCode == .noError)
            #expect(answer.answers.count == 1 && answer.answers.allSatisfy { $0.type == type && $0.name == DNSName(name)! })
        }
    }

    @Test func theWireFormOfMXSRVAndCAAIsRFCs() throws {
        guard case .other(_, let mx) = try ask("example.test", .mx).answers.first?.data else { Issue.record("no MX"); return }
        #expect(mx == [0, 10] + DNSName("mail.example.net")!.key)
        guard case .other(_, let srv) = try ask("_sip._tcp.example.test", .srv).answers.first?.data else { Issue.record("no SRV"); return }
        #expect(srv == [0, 10, 0, 5, 0x13, 0xC4] + DNSName("sip.example.net")!.key)
        guard case .other(_, let caa) = try ask("example.test", .caa).answers.first?.data else { Issue.record("no CAA"); return }
        #expect(caa == [0, 5] + Array("issueletsencrypt.org".utf8))
        #expect(try ask("_acme-challenge.example.test", .txt).answers.first?.ttl == 60)
    }

    @Test func aCNAMEIsAnsweredAndFollowedInsideTheZone() throws {
        let outside = try ask("docs.example.test", .a)
        #expect(outside.answers.map(\.data) == [.cname(DNSName("docs.example.net")!)])
        let configuration = try configuration(adding: ["go-api": [.cname: ["api"]], "alias": [.cname: ["host"]],
                                                       "host": [.a: ["192.0.2.7"]], "mx-alias": [.cname: ["@"]]])
        let steered = try ask("go-api.example.test", .a, configuration: configuration)
        #expect(steered.answers.first?.data == .cname(DNSName("api.example.test")!))
        #expect(steered.answers.dropFirst().map(\.type) == [.a, .a] && steered.answers.last?.name == DNSName("api.example.test")!)
        let chained = try ask("alias.example.test", .a, configuration: configuration)
        #expect(chained.answers.map(\.data) == [.cname(DNSName("host.example.test")!), .a(IPAddress("192.0.2.7")!)])
        let apex = try ask("mx-alias.example.test", .mx, configuration: configuration)
        #expect(apex.answers.map(\.type) == [.cname, .mx])
        // The alias itself when asked for.
        #expect(try ask("alias.example.test", .cname, configuration: configuration).answers.count == 1)
    }

    @Test func aDelegationIsAReferralWithGlueAndItsDSIsNoData() throws {
        for name in ["lab.example.test", "www.lab.example.test", "ns1.lab.example.test"] {
            let referral = try ask(name, .a)
            #expect(!referral.header.authoritative && referral.responseCode == .noError && referral.answers.isEmpty)
            #expect(referral.authority.map(\.data) == [.ns(DNSName("ns1.lab.example.test")!)])
            #expect(referral.additional.map(\.data) == [.a(IPAddress("127.0.0.53")!)])
        }
        let ds = try ask("lab.example.test", .ds)
        #expect(ds.header.authoritative && ds.answers.isEmpty && ds.authority.map(\.type) == [.soa])
    }

    @Test func otherTypesAreNoDataAndEmptyNonTerminalsExist() throws {
        let nodata = try ask("example.test", .srv)
        #expect(nodata.responseCode == .noError && nodata.answers.isEmpty && nodata.authority.map(\.type) == [.soa])
        #expect(try ask("_tcp.example.test", .txt).responseCode == .noError)
        #expect(try ask("_udp.example.test", .txt).responseCode == .nameError)
        let any = try ask("_sip._tcp.example.test", .any)
        #expect(any.answers.map(\.type) == [.srv])
        // The steered names stay as they were.
        #expect(try ask("api.example.test", .a).answers.map(\.type) == [.a, .a])
    }
}
