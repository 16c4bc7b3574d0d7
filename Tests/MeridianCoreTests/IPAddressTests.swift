import Foundation
import Testing
@testable import MeridianCore

struct IPAddressTests {
    @Test(arguments: ["0.0.0.0", "127.0.0.1", "255.255.255.255", "10.34.1.200"])
    func ipv4RoundTrips(_ text: String) {
        #expect(IPAddress(text)?.description == text)
        #expect(IPAddress(text)?.family == .v4)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1..3.4", "a.b.c.d", " 1.2.3.4",
                      "1.2.3.4 ", "1.2.3.4/8"])
    func malformedIPv4IsRejected(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("2001:db8::1", "2001:db8::1"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("fe80::", "fe80::"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
    ])
    func ipv6ParsesAndPrintsCanonically(_ text: String, _ canonical: String) {
        #expect(IPAddress(text)?.description == canonical)
        #expect(IPAddress(text)?.family == .v6)
    }

    @Test(arguments: [":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", "fe80::1%eth0",
                      "::1.2.3", "1:2:3:4:5:6:7::8:9", "[::1]"])
    func malformedIPv6IsRejected(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func mappedAddressUnmapsToIPv4() {
        #expect(IPAddress("::ffff:10.34.1.1")!.unmapped == IPAddress("10.34.1.1"))
        #expect(IPAddress("2001:db8::1")!.unmapped == IPAddress("2001:db8::1"))
    }

    @Test func socketAddressesParseBothFamilies() {
        #expect(SocketAddress("127.0.0.1:53")?.description == "127.0.0.1:53")
        #expect(SocketAddress("[::1]:8053")?.description == "[::1]:8053")
        for bad in ["127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "::1:53", "[127.0.0.1]:53", "host:53", "[::1]53"] {
            #expect(SocketAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func wildcardListenersCollideWithSpecificOnes() {
        let any = SocketAddress("0.0.0.0:53")!
        #expect(any.collides(with: SocketAddress("127.0.0.1:53")!))
        #expect(!any.collides(with: SocketAddress("127.0.0.1:54")!))
        #expect(!SocketAddress("127.0.0.1:53")!.collides(with: SocketAddress("127.0.0.2:53")!))
        #expect(!any.collides(with: SocketAddress("[::1]:53")!))
    }
}

struct IPPrefixTests {
    @Test func parsesAndRejectsHostBits() throws {
        #expect(try IPPrefix.parse("10.34.0.0/16").get().description == "10.34.0.0/16")
        #expect(try IPPrefix.parse("2001:db8::/32").get().length == 32)
        #expect(try IPPrefix.parse("10.0.0.1").get().length == 32)
        #expect(IPPrefix.parse("10.34.1.0/16") == .failure(.hostBitsSet("10.34.1.0/16", suggestion: "10.34.0.0/16")))
        #expect(IPPrefix.parse("10.0.0.0/33") == .failure(.lengthOutOfRange("10.0.0.0/33", maximum: 32)))
        #expect(IPPrefix.parse("::/129") == .failure(.lengthOutOfRange("::/129", maximum: 128)))
        for bad in ["10.0.0.0/", "10.0.0.0/x", "/8", "10.0.0/8", "10.0.0.0/-1", "10.0.0.0/8/8"] {
            #expect(IPPrefix.parse(bad) == .failure(.notAPrefix(bad)), "\(bad)")
        }
    }

    @Test func containsChecksTheFixedBits() throws {
        let prefix = try IPPrefix.parse("10.34.0.0/16").get()
        #expect(prefix.contains(IPAddress("10.34.255.1")!))
        #expect(!prefix.contains(IPAddress("10.35.0.1")!))
        #expect(prefix.contains(IPAddress("::ffff:10.34.0.9")!))
        #expect(try IPPrefix.parse("0.0.0.0/0").get().contains(IPAddress("203.0.113.9")!))
        #expect(!(try IPPrefix.parse("0.0.0.0/0").get().contains(IPAddress("2001:db8::1")!)))
    }
}

struct TextCodedTests {
    private struct Sample: Codable, Equatable {
        var address: IPAddress
        var listen: SocketAddress
        var region: RegionName
        var zone: DomainName
        var url: BaseURL
    }

    @Test func valuesRoundTripThroughJSONAsText() throws {
        let sample = Sample(address: IPAddress("2001:db8::1")!, listen: SocketAddress("[::1]:53")!, region: "istanbul",
                            zone: DomainName("Example.TEST.")!, url: BaseURL("https://ist.example.test/")!)
        let json = try JSONEncoder().encode(sample)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"2001:db8::1\"") && text.contains("\"example.test\"") && text.contains("\"[::1]:53\""))
        #expect(try JSONDecoder().decode(Sample.self, from: json) == sample)
    }

    @Test func invalidTextIsADecodingError() {
        let json = Data(#"{"address":"1.2.3.999","listen":"x","region":"Bad","zone":"-","url":"ftp://x"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Sample.self, from: json) }
    }
}
