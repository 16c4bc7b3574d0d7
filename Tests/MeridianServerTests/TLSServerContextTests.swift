import COpenSSL
import Foundation
import MeridianTesting
import Testing
@testable import MeridianServer

/// The redirect listener's TLS contexts, against a real OpenSSL client over in-memory transport
/// (the listener's own tests use curl and `openssl s_client` over sockets).
@Suite(.serialized)
struct TLSServerContextTests {
    /// What a client saw of one handshake.
    struct Handshake {
        var completed = false
        var verified = false
        var alpn: String?
        var version: Int32 = 0
        /// The names the server's certificate covers, of those asked about.
        var covered: Set<String> = []
        /// Whether the client resumed the session it offered.
        var reused = false
        /// The client's session (`SSL_SESSION *`, to free with `SSL_SESSION_free`), with its ticket.
        var session: OpaquePointer?
    }

    /// Runs a handshake of a client (verifying against `caFile`, and the asked name when there is
    /// one) with a session of `server`, through a BIO pair.
    static func handshake(with server: TLSServerContext, serverName: String?, alpn: [String] = [], caFile: String,
                          maxVersion: Int32? = nil, asking names: [String] = [], resuming: OpaquePointer? = nil) throws -> Handshake {
        let clientContext = try #require(SSL_CTX_new(TLS_client_method()))
        defer { SSL_CTX_free(clientContext) }
        #expect(SSL_CTX_load_verify_locations(clientContext, caFile, nil) == 1)
        SSL_CTX_set_verify(clientContext, SSL_VERIFY_PEER, nil)
        if let maxVersion { #expect(CMeridianTLS_set_max_version(clientContext, maxVersion) == 1) }
        let client = try #require(SSL_new(clientContext)), session = try #require(server.newSession())
        defer {
            // Shut down as after a close_notify, so that the client's session stays resumable.
            SSL_set_shutdown(client, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN)
            SSL_free(client)
            SSL_free(session)
        }
        var clientEnd: OpaquePointer?, serverEnd: OpaquePointer?
        #expect(BIO_new_bio_pair(&clientEnd, 0, &serverEnd, 0) == 1)
        SSL_set_bio(client, clientEnd, clientEnd)
        SSL_set_bio(session, serverEnd, serverEnd)
        SSL_set_connect_state(client)
        if let resuming { #expect(SSL_set_session(client, resuming) == 1) }
        if let serverName {
            #expect(CMeridianTLS_set_host_name(client, serverName) == 1)
            #expect(SSL_set1_host(client, serverName) == 1)
        }
        if !alpn.isEmpty {
            let wire = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            #expect(SSL_set_alpn_protos(client, wire, UInt32(wire.count)) == 0)
        }
        var result = Handshake()
        for _ in 0..<20 {
            let clientDone = SSL_do_handshake(client), serverDone = SSL_do_handshake(session)
            if clientDone == 1 && serverDone == 1 {
                result.completed = true
                break
            }
            let waiting = [SSL_get_error(client, clientDone), SSL_get_error(session, serverDone)].allSatisfy {
                $0 == SSL_ERROR_NONE || $0 == SSL_ERROR_WANT_READ || $0 == SSL_ERROR_WANT_WRITE
            }
            guard waiting else { break }
        }
        ERR_clear_error()
        guard result.completed else { return result }
        result.verified = SSL_get_verify_result(client) == X509_V_OK
        result.version = SSL_version(client)
        result.reused = SSL_session_reused(client) == 1
        result.session = SSL_get1_session(client)
        var selected: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(client, &selected, &length)
        if let selected, length > 0 { result.alpn = String(decoding: UnsafeBufferPointer(start: selected, count: Int(length)), as: UTF8.self) }
        if let leaf = SSL_get0_peer_certificate(client) {
            result.covered = Set(names.filter { name in name.withCString { X509_check_host(leaf, $0, strlen($0), 0, nil) } == 1 })
        }
        return result
    }

    @Test("the name the client asks for picks the certificate, wildcards included; no name gets the first; a name none covers fails verification")
    func serverNameIndication() throws {
        let authority = try TestCertificates.make()
        defer { authority.remove() }
        let go = try authority.issue("go", names: ["go.example.test"])
        let www = try authority.issue("www", names: ["www.example.test", "*.api.example.test"])
        let server = try TLSServerContext(pairs: [(go.certificate, go.key), (www.certificate, www.key)])
        let names = ["go.example.test", "www.example.test", "v1.api.example.test"]
        for (asked, covered) in [("go.example.test", ["go.example.test"]), ("www.example.test", ["www.example.test", "v1.api.example.test"]),
                                 ("v1.api.example.test", ["www.example.test", "v1.api.example.test"])] {
            let result = try Self.handshake(with: server, serverName: asked, caFile: authority.caFile, asking: names)
            #expect(result.completed && result.verified, "\(asked)")
            #expect(result.covered == Set(covered), "\(asked) got a certificate for \(result.covered)")
        }
        let anonymous = try Self.handshake(with: server, serverName: nil, caFile: authority.caFile, asking: names)
        #expect(anonymous.completed && anonymous.covered == ["go.example.test"], "no name: the default certificate")
        let unknown = try Self.handshake(with: server, serverName: "other.example.test", caFile: authority.caFile)
        #expect(!unknown.completed, "a name no certificate covers gets the default, which fails the client's check")
        #expect(server.certificate(covering: "v1.api.example.test") == 1 && server.certificate(covering: "other.example.test") == nil)
    }

    @Test("ALPN selects http/1.1 when offered, and names nothing otherwise; TLS 1.2 and 1.3 by default, 1.3 only when asked")
    func alpnAndVersions() throws {
        let authority = try TestCertificates.make()
        defer { authority.remove() }
        let go = try authority.issue("go", names: ["go.example.test"])
        let server = try TLSServerContext(pairs: [(go.certificate, go.key)])
        let both = try Self.handshake(with: server, serverName: "go.example.test", alpn: ["h2", "http/1.1"], caFile: authority.caFile)
        #expect(both.completed && both.alpn == "http/1.1" && both.version == CMeridianTLS_version_1_3())
        let h2 = try Self.handshake(with: server, serverName: "go.example.test", alpn: ["h2"], caFile: authority.caFile)
        #expect(h2.completed && h2.alpn == nil)
        let old = try Self.handshake(with: server, serverName: "go.example.test", caFile: authority.caFile,
                                     maxVersion: CMeridianTLS_version_1_2())
        #expect(old.completed && old.version == CMeridianTLS_version_1_2())
        let strict = try TLSServerContext(pairs: [(go.certificate, go.key)], minimum: .tls13)
        let refused = try Self.handshake(with: strict, serverName: "go.example.test", caFile: authority.caFile,
                                         maxVersion: CMeridianTLS_version_1_2())
        #expect(!refused.completed)
    }

    @Test("a key that is not the certificate's, a missing file and no certificate are refused with the file and why; the expiry is read")
    func setupErrorsAndExpiry() throws {
        let authority = try TestCertificates.make()
        defer { authority.remove() }
        let go = try authority.issue("go", names: ["go.example.test"], days: 10)
        let www = try authority.issue("www", names: ["www.example.test"])
        #expect(throws: TLSServerContext.SetupError.self) { try TLSServerContext(pairs: []) }
        do {
            _ = try TLSServerContext(pairs: [(go.certificate, www.key)])
            Issue.record("a key of another certificate was taken")
        } catch {
            #expect(error.file == www.key && error.reason.contains("does not match"))
        }
        let missing = authority.folder.appendingPathComponent("missing.pem").path
        do {
            _ = try TLSServerContext(pairs: [(go.certificate, go.key), (missing, www.key)])
            Issue.record("a missing certificate file was taken")
        } catch {
            #expect(error.file == missing && error.reason.contains("not a PEM certificate chain"))
        }
        let server = try TLSServerContext(pairs: [(go.certificate, go.key)])
        let expected = Date().addingTimeInterval(10 * 86_400)
        #expect(abs(server.certificates[0].notAfter.timeIntervalSince(expected)) < 3_600)
    }

    @Test("a session ticket one context sealed opens on another, as after a reload")
    func ticketsAcrossContexts() throws {
        let authority = try TestCertificates.make()
        defer { authority.remove() }
        let go = try authority.issue("go", names: ["go.example.test"])
        let before = try TLSServerContext(pairs: [(go.certificate, go.key)])
        let after = try TLSServerContext(pairs: [(go.certificate, go.key)])
        let tls12 = CMeridianTLS_version_1_2()
        let first = try Self.handshake(with: before, serverName: "go.example.test", caFile: authority.caFile, maxVersion: tls12)
        let saved = try #require(first.session)
        defer { SSL_SESSION_free(saved) }
        #expect(first.completed && !first.reused)
        let resumed = try Self.handshake(with: after, serverName: "go.example.test", caFile: authority.caFile, maxVersion: tls12,
                                         resuming: saved)
        #expect(resumed.completed && resumed.reused, "the ticket of the first context opens on the second")
        // A resumed client is given a new ticket (a TLS 1.3 client uses each once).
        func ticket(_ session: OpaquePointer?) -> [UInt8] {
            var bytes: UnsafePointer<UInt8>?
            var length = 0
            SSL_SESSION_get0_ticket(session, &bytes, &length)
            return bytes.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
        }
        #expect(!ticket(saved).isEmpty && ticket(resumed.session) != ticket(saved), "a new ticket was issued on resumption")
        if let session = resumed.session { SSL_SESSION_free(session) }
    }
}
