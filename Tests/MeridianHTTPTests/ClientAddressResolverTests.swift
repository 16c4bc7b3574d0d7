import MeridianCore
import Testing
@testable import MeridianHTTP

@Suite("Client address behind proxies")
struct ClientAddressResolverTests {
    let proxies = [try! IPPrefix.parse("10.0.0.0/8").get(), try! IPPrefix.parse("2001:db8:ff::/48").get()]

    /// Resolves for a request from `peer` with the given extra header lines, reading `header`.
    func resolve(peer: String, reading header: ForwardingHeader = .xForwardedFor, _ headers: String...) throws
        -> (String, ClientAddressResolver.Source)
    {
        let resolver = ClientAddressResolver(trustedProxies: proxies, header: header)
        let text = "GET / HTTP/1.1\r\nHost: a\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
        let (head, _) = try head(text)
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { resolver.resolve(peer: IPAddress(peer)!, head: head, bytes: $0) }
        return (result.address.description, result.source)
    }

    @Test("an untrusted peer's forwarding headers are ignored")
    func untrustedPeer() throws {
        #expect(try resolve(peer: "192.0.2.7", "X-Forwarded-For: 10.6.0.1") == ("192.0.2.7", .peer))
        #expect(try resolve(peer: "192.0.2.7", reading: .forwarded, "Forwarded: for=10.6.0.1") == ("192.0.2.7", .peer))
    }

    @Test("a trusted peer without headers is the client")
    func trustedWithoutHeaders() throws {
        #expect(try resolve(peer: "10.1.1.1") == ("10.1.1.1", .peer))
    }

    @Test("the rightmost untrusted hop wins")
    func rightmostUntrusted() throws {
        #expect(try resolve(peer: "10.1.1.1", "X-Forwarded-For: 198.51.100.9, 203.0.113.5, 10.2.2.2")
                == ("203.0.113.5", .forwarded))
        #expect(try resolve(peer: "10.1.1.1", "X-Forwarded-For: 198.51.100.9", "X-Forwarded-For: 10.3.3.3")
                == ("198.51.100.9", .forwarded))
    }

    @Test("every hop trusted: the leftmost is the client")
    func allTrusted() throws {
        #expect(try resolve(peer: "10.1.1.1", "X-Forwarded-For: 10.6.0.1, 10.2.2.2") == ("10.6.0.1", .forwarded))
    }

    @Test("a hop that is not an address stops the walk at the last one that is")
    func garbageHop() throws {
        #expect(try resolve(peer: "10.1.1.1", "X-Forwarded-For: 198.51.100.9, bogus, 10.2.2.2") == ("10.2.2.2", .forwarded))
        #expect(try resolve(peer: "10.1.1.1", "X-Forwarded-For: nonsense") == ("10.1.1.1", .peer))
    }

    @Test("Forwarded: for= with quotes, IPv6 in brackets and ports")
    func forwarded() throws {
        #expect(try resolve(peer: "10.1.1.1", reading: .forwarded, "Forwarded: for=\"[2001:db8:6::1]:4711\";proto=https, for=10.2.2.2")
                == ("2001:db8:6::1", .forwarded))
        #expect(try resolve(peer: "10.1.1.1", reading: .forwarded, "Forwarded: For=198.51.100.9;by=10.0.0.1")
                == ("198.51.100.9", .forwarded))
        #expect(try resolve(peer: "10.1.1.1", reading: .forwarded, "Forwarded: for=unknown") == ("10.1.1.1", .peer))
        #expect(try resolve(peer: "2001:db8:ff::1", reading: .forwarded, "Forwarded: for=\"198.51.100.9:80\"")
                == ("198.51.100.9", .forwarded))
    }

    @Test("with both headers from a trusted proxy, only the configured one is read")
    func onlyTheConfiguredHeader() throws {
        let both = ["Forwarded: for=198.51.100.9", "X-Forwarded-For: 203.0.113.5"]
        #expect(try resolve(peer: "10.1.1.1", both[0], both[1]) == ("203.0.113.5", .forwarded), "X-Forwarded-For by default")
        #expect(try resolve(peer: "10.1.1.1", reading: .forwarded, both[0], both[1]) == ("198.51.100.9", .forwarded))
        // The other header alone is not read either: a client could have written it.
        #expect(try resolve(peer: "10.1.1.1", "Forwarded: for=198.51.100.9") == ("10.1.1.1", .peer))
        #expect(try resolve(peer: "10.1.1.1", reading: .forwarded, "X-Forwarded-For: 203.0.113.5") == ("10.1.1.1", .peer))
    }

    @Test("ports on X-Forwarded-For hops")
    func ports() throws {
        #expect(try resolve(peer: "10.1.1.1", "X-Forwarded-For: 198.51.100.9:1234") == ("198.51.100.9", .forwarded))
        #expect(try resolve(peer: "10.1.1.1", "X-Forwarded-For: [2001:db8::5]:1234") == ("2001:db8::5", .forwarded))
        #expect(try resolve(peer: "10.1.1.1", "X-Forwarded-For: 2001:db8::5") == ("2001:db8::5", .forwarded))
    }
}
