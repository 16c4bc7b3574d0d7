import Crypto
import Foundation
import MeridianCore
import NIOCore
import Testing
@testable import MeridianDNS

/// Zone keys, their files and the signed answers, without sockets. Validation by independent
/// validators (dnspython, delv, unbound) is in MeridianServerTests' DNSSECValidationTests.
struct DNSSECSigningTests {
    let base = DNSResponderTests()
    static let apex = DNSName("example.test")!

    func signed(key: ZoneKey? = nil, now: Timestamp = DNSResponderTests.now) -> DNSResponder {
        var settings = DNSSECSettings()
        settings.keyTTL = 600
        let key = key ?? ZoneKey.generate(.ecdsaP256SHA256, now: now - .seconds(60))
        let signer = ZoneSigner(apex: Self.apex, keys: [key], settings: settings, now: now, keyTTL: settings.keyTTL)
        return DNSResponder(zone: base.responder.zone, options: base.responder.options, signer: signer)
    }

    func query(_ name: String, _ type: RecordType, dnssecOK: Bool = true, compactOK: Bool = false) -> ByteBuffer {
        var edns = EDNS(dnssecOK: dnssecOK)
        edns.compactOK = compactOK
        return base.query(name, type, edns: edns)
    }

    @Test func rfc6605sExampleKeyHasItsTagAndDS() throws {
        let key = try ZoneKeyFile.read(
            publicText: "example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==\n",
            privateText: "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n",
            zone: DNSName("example.net")!)
        #expect(key.keyTag == 55648)
        let digest = key.dsData(owner: DNSName("example.net")!).dropFirst(4).map { String(format: "%02x", $0) }.joined()
        #expect(digest == "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17")
    }

    @Test func keyFilesRoundTripWithTheirTimesAndMismatchesAreRefused() throws {
        var key = ZoneKey.generate(.ed25519, now: Timestamp(secondsSinceEpoch: 1_800_000_000))
        key.inactive = Timestamp(secondsSinceEpoch: 1_800_086_400)
        let publicText = ZoneKeyFile.publicText(key, zone: Self.apex), privateText = ZoneKeyFile.privateText(key)
        #expect(privateText.contains("Created: 20270115080000\n") && privateText.contains("Inactive: 20270116080000\n"))
        let read = try ZoneKeyFile.read(publicText: publicText, privateText: privateText, zone: Self.apex)
        #expect(read.keyTag == key.keyTag && read.privateKeyBytes == key.privateKeyBytes && read.inactive == key.inactive)
        #expect(ZoneKeyFile.baseName(key, zone: Self.apex) == "Kexample.test.+015+\(String(format: "%05d", key.keyTag))")
        let other = ZoneKey.generate(.ed25519, now: .now)
        #expect(throws: ZoneKeyFile.Problem.self) {
            try ZoneKeyFile.read(publicText: publicText, privateText: ZoneKeyFile.privateText(other), zone: Self.apex)
        }
        #expect(throws: ZoneKeyFile.Problem.self) {
            try ZoneKeyFile.read(publicText: publicText, privateText: privateText, zone: DNSName("example.org")!)
        }
        #expect(throws: ZoneKeyFile.Problem.self) {
            try ZoneKeyFile.read(publicText: publicText, privateText: privateText.replacingOccurrences(of: "20270116", with: "20271316"),
                                 zone: Self.apex)
        }
    }

    @Test func theTypeBitmapIsRFC4034sExample() {
        let bitmap = CanonicalRecords.typeBitmap([.a, .mx, .rrsig, .nsec, RecordType(rawValue: 1234)])
        #expect(bitmap == [0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1B] + [UInt8](repeating: 0, count: 26) + [0x20])
    }

    @Test func theWindowIsSharedByEveryDirectorAndStartsAnHourBack() {
        let settings = DNSSECSettings()
        let early = settings.validityPeriod(at: Timestamp(secondsSinceEpoch: 1_800_000_000))
        let late = settings.validityPeriod(at: Timestamp(secondsSinceEpoch: 1_800_000_000 + 40_000))
        #expect(early.inception == 1_799_971_200 - 3600 && early.expiration == 1_799_971_200 + 7 * 86400)
        #expect(early == late)
        #expect(settings.validityPeriod(at: Timestamp(secondsSinceEpoch: 1_800_000_000 + 86400)).inception == early.inception + 86400)
    }

    @Test func withoutDOTheAnswersAreByteForByteTheUnsignedOnes() throws {
        let signed = signed(), snapshot = base.snapshot()
        for (name, type) in [("api.example.test", RecordType.a), ("api.example.test", .aaaa), ("nope.example.test", .a),
                             ("example.test", .mx), ("www.lab.example.test", .a)] {
            let packet = query(name, type, dnssecOK: false)
            let plain = base.responder.respond(to: packet, from: IPAddress("10.6.0.1")!, over: .udp, snapshot: snapshot)?.bytes
            #expect(signed.respond(to: packet, from: IPAddress("10.6.0.1")!, over: .udp, snapshot: snapshot)?.bytes == plain)
            let fast = DNSFastPath(responder: signed, snapshot: snapshot), unsignedFast = DNSFastPath(responder: base.responder, snapshot: snapshot)
            #expect(fastAnswer(fast, packet) == fastAnswer(unsignedFast, packet))
        }
    }

    func fastAnswer(_ fast: DNSFastPath, _ packet: ByteBuffer) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: 1232)
        let length = packet.withUnsafeReadableBytes { query in
            output.withUnsafeMutableBytes { fast.answer(query, from: IPAddress("10.6.0.1")!, over: .udp, into: $0)?.length }
        }
        return length.map { Array(output[..<$0]) }
    }

    @Test func theFastPathsSignedAnswersAreTheResponders() throws {
        let signed = signed(), snapshot = base.snapshot(down: ["ist-1", "ist-2"])
        let fast = DNSFastPath(responder: signed, snapshot: snapshot)
        for (name, type) in [("api.example.test", RecordType.a), ("api.example.test", .aaaa), ("pay.example.test", .a)] {
            let packet = query(name, type)
            let slow = try #require(signed.respond(to: packet, from: IPAddress("10.6.0.1")!, over: .udp, snapshot: snapshot))
            // The same records; the responder compresses the SOA's names, the fast path does not.
            let fastBytes = try #require(fastAnswer(fast, packet))
            #expect(try DNSMessage(decoding: ByteBuffer(bytes: fastBytes)) == DNSMessage(decoding: slow.bytes), "\(name) \(type)")
        }
    }

    @Test func everyAnsweredSetIsSignedAndNegativesAreCompactDenials() throws {
        let signed = signed()
        func ask(_ name: String, _ type: RecordType, compactOK: Bool = false) throws -> DNSMessage {
            try base.ask(query(name, type, compactOK: compactOK), responder: signed)
        }
        let positive = try ask("api.example.test", .a)
        #expect(positive.answers.map(\.type) == [.a, .a, .rrsig])
        let alias = try ask("docs.example.test", .a)
        #expect(alias.answers.map(\.type) == [.cname, .rrsig])
        let keys = try ask("example.test", .dnskey)
        #expect(keys.answers.map(\.type) == [.dnskey, .rrsig] && keys.answers.first?.ttl == 600)
        #expect(try ask("example.test", .cds).answers.map(\.type) == [.cds, .rrsig])
        #expect(try ask("example.test", .cdnskey).answers.map(\.type) == [.cdnskey, .rrsig])

        let missing = try ask("nope.example.test", .a)
        #expect(missing.responseCode == .noError && missing.answers.isEmpty)
        #expect(missing.authority.map(\.type) == [.soa, .rrsig, .nsec, .rrsig])
        guard case .other(_, let nsec) = missing.authority[2].data else { Issue.record("no NSEC"); return }
        let next = DNSName("nope.example.test")!.key
        #expect(nsec == [1, 0] + next + CanonicalRecords.typeBitmap([.nxname, .rrsig, .nsec]))
        #expect(try ask("nope.example.test", .a, compactOK: true).responseCode == .nameError)

        let nodata = try ask("example.test", .srv)
        guard case .other(_, let apexNSEC) = nodata.authority[2].data else { Issue.record("no NSEC"); return }
        #expect(Array(apexNSEC.dropFirst(2 + DNSName("example.test")!.wireLength))
                == CanonicalRecords.typeBitmap([.soa, .ns, .mx, .txt, .caa, .dnskey, .cds, .cdnskey, .rrsig, .nsec]))

        let referral = try ask("www.lab.example.test", .a)
        #expect(!referral.header.authoritative && referral.authority.map(\.type) == [.ns, .nsec, .rrsig])
        #expect(referral.authority[1].name == DNSName("lab.example.test")!)
    }

    @Test func aSetIsSignedOncePerWindow() throws {
        let signed = signed()
        let signer = try #require(signed.signer)
        _ = try base.ask(query("example.test", .mx), responder: signed)
        let after = signer.signaturesMade
        for _ in 0..<5 { _ = try base.ask(query("example.test", .mx), responder: signed) }
        #expect(after >= 1 && signer.signaturesMade == after)
    }

    @Test func theSignatureVerifiesWithTheDNSKEY() throws {
        let key = ZoneKey.generate(.ecdsaP256SHA256, now: DNSResponderTests.now - .seconds(60))
        let answer = try base.ask(query("example.test", .mx), responder: signed(key: key))
        guard case .other(_, let rrsig) = try #require(answer.answers.last).data else { Issue.record("no RRSIG"); return }
        let fixed = 18 + Self.apex.wireLength
        let signedData = Array(rrsig[..<fixed]) + CanonicalRecords.rrset(Array(answer.answers.dropLast()), ttl: 3600)!
        let publicKey = try P256.Signing.PublicKey(rawRepresentation: key.publicKey)
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: rrsig[fixed...])
        #expect(publicKey.isValidSignature(signature, for: signedData))
    }
}
