import Foundation
import MeridianCore
import MeridianDNS
import MeridianTesting
import Testing
@testable import MeridianServer

/// A signed director checked by real validators: dnspython's `dns.dnssec.validate` over every
/// kind of answer, delv with the zone's trust anchor, and unbound as a validating resolver with a
/// stub zone to the director, and DNSViz over the zone. `.ci/run` installs them (python3-dnspython,
/// bind9-dnsutils, unbound, dnsviz with BIND's named).
@Suite(.serialized)
struct DNSSECValidationTests {
    struct Signed {
        var world: LiveWorld
        var running: RunningDirector
        var keys: URL
        var key: ZoneKey

        /// The DS record of the key, as the parent zone would hold it.
        var ds: String { DNSSECValidationTests.ds(of: key) }

        /// The signer the director answers with now.
        var signer: ZoneSigner? { running.director.answering.current.responder.signer }

        func stop() async {
            await running.stop()
            await world.stop()
            try? FileManager.default.removeItem(at: keys)
        }
    }

    static func ds(of key: ZoneKey) -> String {
        "example.test. IN DS \(key.keyTag) \(key.algorithm.rawValue) 2 \(key.dsDigestHex(owner: DNSName("example.test")!))"
    }

    /// A director of the two-region world with the shipped static records, signed with a new key.
    static func start(_ algorithm: ZoneKey.Algorithm = .ecdsaP256SHA256, settings: DNSSECSettings = DNSSECSettings()) async throws -> Signed {
        var world = try await LiveWorld.start(perRegion: 1)
        world.configuration.records = try ConfigurationLoader.load(directory: ReleaseFleet.packageRoot.appendingPathComponent("regions").path).records
        world.configuration.dnssec = settings
        // The answers checked are the steady ones: a probe that times out on a loaded machine must not
        // start a failback ramp that sends Ankara's clients elsewhere for its first step.
        world.configuration.services[0].failback = .immediate
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        let key = ZoneKey.generate(algorithm, now: .now - .seconds(60))
        try ZoneKeyFolder(path: keys.path).write(key, zone: DNSName("example.test")!)
        let running = try await RunningDirector.start(world, dnssecKeys: keys.path)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        return Signed(world: world, running: running, keys: keys, key: key)
    }

    static let dnspythonScript = """
        import sys, dns.message, dns.query, dns.dnssec, dns.rdatatype, dns.rdataclass, dns.name, dns.edns, dns.rcode, dns.rdata
        port = int(sys.argv[1]); zone = dns.name.from_text("example.test.")
        def ask(name, rdtype, subnet=None, tcp=False):
            options = [dns.edns.ECSOption(subnet, 16)] if subnet else []
            q = dns.message.make_query(name, rdtype, want_dnssec=True, use_edns=0, options=options, payload=1232)
            return (dns.query.tcp if tcp else dns.query.udp)(q, "127.0.0.1", port=port, timeout=3)
        r = ask(zone, "DNSKEY")
        dnskey = r.find_rrset(r.answer, zone, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
        keyring = {zone: dnskey}
        ds = dns.rdata.from_text("IN", "DS", sys.argv[2])
        print("ds", any(dns.dnssec.make_ds(zone, key, "SHA256") == ds for key in dnskey))
        def types(nsec):
            found = set()
            for window, bitmap in nsec.windows:
                for index, byte in enumerate(bitmap):
                    for bit in range(8):
                        if byte & (0x80 >> bit): found.add(window * 256 + index * 8 + bit)
            return found
        def check(section, qtype):
            out = []
            for rrset in section:
                if rrset.rdtype == dns.rdatatype.RRSIG: continue
                sigs = [s for s in section if s.rdtype == dns.rdatatype.RRSIG and s.covers == rrset.rdtype and s.name == rrset.name]
                if not sigs:
                    out.append(dns.rdatatype.to_text(rrset.rdtype) + ":unsigned"); continue
                try:
                    dns.dnssec.validate(rrset, sigs[0], keyring); state = "valid"
                except Exception as error:
                    state = "BOGUS(%s)" % error
                label = dns.rdatatype.to_text(rrset.rdtype) + ":" + state
                if rrset.rdtype == dns.rdatatype.NSEC:
                    found = types(rrset[0])
                    label += ":" + ("nxname" if 128 in found else "") + (":has-qtype" if qtype in found else "")
                out.append(label)
            return " ".join(out)
        cases = [("api.example.test", "A", "10.6.0.0", False), ("api.example.test", "AAAA", None, False),
                 ("nope.example.test", "A", None, False), ("_tcp.example.test", "TXT", None, False),
                 ("example.test", "MX", None, False), ("example.test", "TXT", None, False), ("example.test", "CAA", None, False),
                 ("_sip._tcp.example.test", "SRV", None, False), ("docs.example.test", "A", None, False),
                 ("example.test", "SOA", None, False), ("example.test", "NS", None, False), ("example.test", "CDS", None, False),
                 ("example.test", "CDNSKEY", None, False), ("example.test", "DNSKEY", None, True),
                 ("www.lab.example.test", "A", None, False), ("lab.example.test", "DS", None, False),
                 ("_explain.api.example.test", "TXT", None, True)]
        for name, qtype, subnet, tcp in cases:
            r = ask(name, qtype, subnet, tcp)
            code = dns.rdatatype.from_text(qtype)
            addresses = sorted(rr.address for rrset in r.answer if rrset.rdtype == dns.rdatatype.A for rr in rrset)
            print(name, qtype, dns.rcode.to_text(r.rcode()), "answer[" + check(r.answer, code) + "]",
                  "authority[" + check(r.authority, code) + "]", " ".join(addresses))
        """

    @Test(arguments: [ZoneKey.Algorithm.ecdsaP256SHA256, .ed25519])
    func dnspythonValidatesEveryKindOfAnswer(algorithm: ZoneKey.Algorithm) async throws {
        let signed = try await Self.start(algorithm)
        let output = try DigRunner.run("/usr/bin/python3", ["-c", Self.dnspythonScript, "\(signed.running.dnsPort)",
                                                            String(signed.ds.split(separator: " ", maxSplits: 3)[3])])
        let lines = output.split(separator: "\n").map(String.init)
        let negative = "authority[SOA:valid NSEC:valid:]"
        #expect(lines == [
            "ds True",
            "api.example.test A NOERROR answer[A:valid] authority[] 127.0.2.1",
            "api.example.test AAAA NOERROR answer[] \(negative) ",
            "nope.example.test A NOERROR answer[] authority[SOA:valid NSEC:valid:nxname] ",
            "_tcp.example.test TXT NOERROR answer[] \(negative) ",
            "example.test MX NOERROR answer[MX:valid] authority[] ",
            "example.test TXT NOERROR answer[TXT:valid] authority[] ",
            "example.test CAA NOERROR answer[CAA:valid] authority[] ",
            "_sip._tcp.example.test SRV NOERROR answer[SRV:valid] authority[] ",
            "docs.example.test A NOERROR answer[CNAME:valid] authority[] ",
            "example.test SOA NOERROR answer[SOA:valid] authority[] ",
            "example.test NS NOERROR answer[NS:valid] authority[] ",
            "example.test CDS NOERROR answer[CDS:valid] authority[] ",
            "example.test CDNSKEY NOERROR answer[CDNSKEY:valid] authority[] ",
            "example.test DNSKEY NOERROR answer[DNSKEY:valid] authority[] ",
            "www.lab.example.test A NOERROR answer[] authority[NS:unsigned NSEC:valid:] ",
            "lab.example.test DS NOERROR answer[] \(negative) ",
            "_explain.api.example.test TXT NOERROR answer[TXT:valid] authority[] ",
        ], "\(output)")
        await signed.stop()
    }

    @Test func delvFullyValidatesWithTheTrustAnchor() async throws {
        let signed = try await Self.start()
        let fields = signed.ds.split(separator: " ")
        let anchor = signed.keys.appendingPathComponent("anchor.conf")
        try "trust-anchors { example.test. static-ds \(fields[3]) \(fields[4]) \(fields[5]) \"\(fields[6])\"; };\n"
            .write(to: anchor, atomically: true, encoding: .utf8)
        func delv(_ name: String, _ type: String) throws -> String {
            try DigRunner.run("/usr/bin/delv", ["-a", anchor.path, "+root=example.test", "@127.0.0.1", "-p", "\(signed.running.dnsPort)",
                                                name, type])
        }
        for (name, type) in [("api.example.test", "A"), ("example.test", "MX"), ("docs.example.test", "CNAME"), ("example.test", "DNSKEY")] {
            let output = try delv(name, type)
            #expect(output.hasPrefix("; fully validated"), "\(name) \(type): \(output)")
        }
        for (name, type) in [("nope.example.test", "A"), ("api.example.test", "TXT")] {
            let output = try delv(name, type)
            #expect(output.contains("; negative response, fully validated"), "\(name) \(type): \(output)")
        }
        await signed.stop()
    }

    @Test func unboundValidatesEveryAnswerAndAWrongKeyIsServfail() async throws {
        let signed = try await Self.start()
        let resolver = try await ValidatingResolver.start(zone: "example.test", directorPort: signed.running.dnsPort, ds: [signed.ds])
        func ask(_ arguments: String...) throws -> String { try DigRunner.dig(port: resolver.port, arguments) }
        let steered = try ask("api.example.test", "+subnet=10.6.0.0/16")
        #expect(steered.contains("status: NOERROR") && steered.contains("flags: qr rd ra ad;") && steered.contains("127.0.2.1"),
                "\(steered)\n\(resolver.log)")
        let istanbul = try ask("api.example.test", "+subnet=10.34.0.0/16")
        #expect(istanbul.contains("flags: qr rd ra ad;") && istanbul.contains("127.0.1.1"), "\(istanbul)")
        for (name, type, status) in [("example.test", "MX", "NOERROR"), ("example.test", "CAA", "NOERROR"),
                                     ("_sip._tcp.example.test", "SRV", "NOERROR"),
                                     // Compact denial: a name that does not exist is NOERROR with NXNAME, and validates.
                                     ("nope.example.test", "A", "NOERROR"),
                                     ("api.example.test", "TXT", "NOERROR"), ("_tcp.example.test", "TXT", "NOERROR")] {
            let answer = try ask(name, type)
            #expect(answer.contains("status: \(status)") && answer.contains(" ad;"), "\(name) \(type): \(answer)\n\(resolver.log)")
        }
        resolver.stop()

        let other = ZoneKey.generate(.ecdsaP256SHA256, now: .now)
        let wrongDS = Self.ds(of: other)
        let misled = try await ValidatingResolver.start(zone: "example.test", directorPort: signed.running.dnsPort, ds: [wrongDS])
        let bogus = try DigRunner.dig(port: misled.port, ["api.example.test"])
        #expect(bogus.contains("status: SERVFAIL"), "\(bogus)")
        misled.stop()
        await signed.stop()
    }

    /// DNSViz (Debian's dnsviz, which runs BIND's named for the delegation it is given) probes the
    /// zone through the director with its DS and finds nothing at warning level or above; given
    /// another key's DS, it reports the broken chain.
    @Test func dnsvizReportsNoErrorsForTheZone() async throws {
        let signed = try await Self.start()
        func grok(ds: String) throws -> String {
            let probe = signed.keys.appendingPathComponent("probe-\(UUID().uuidString).json")
            let server = "127.0.0.1:\(signed.running.dnsPort)"
            // Names whose answers point outside the zone (docs's CNAME, the SRV's target) are left out:
            // DNSViz would follow them to the Internet, which this machine cannot reach.
            let probed = try DigRunner.run("/usr/bin/timeout", [
                "120", "/usr/bin/dnsviz", "probe", "-A", "-x", "example.test:\(server)", "-N", "example.test:ns-istanbul.example.test=\(server)",
                "-D", "example.test:\(ds)", "-o", probe.path, "example.test", "api.example.test", "nope.example.test",
            ])
            guard FileManager.default.fileExists(atPath: probe.path) else { return "no probe: \(probed)" }
            return try DigRunner.run("/usr/bin/timeout", ["60", "/usr/bin/dnsviz", "grok", "-r", probe.path, "-l", "warning"])
        }
        let digits = signed.ds.split(separator: " ").dropFirst(3).joined(separator: " ")
        let report = try grok(ds: digits)
        #expect(report.isEmpty, "\(report)")
        let other = ZoneKey.generate(.ecdsaP256SHA256, now: .now)
        let wrong = "\(other.keyTag) 13 2 \(other.dsDigestHex(owner: DNSName("example.test")!))"
        let broken = try grok(ds: wrong)
        #expect(broken.contains("\"errors\""), "\(broken)")
        await signed.stop()
    }

    /// A roll as `meridian dnssec roll` writes it (here with seconds for hours): unbound, trusting
    /// the old key's DS, validates a new name's denial at each step; once CDS names the new key
    /// alone, a resolver trusting the new DS (the parent updated) validates until the end, and the
    /// old DS stops leading anywhere only when the old key has left the DNSKEY set.
    @Test func unboundKeepsValidatingThroughAKeyRoll() async throws {
        var settings = DNSSECSettings()
        settings.keyTTL = 1
        let signed = try await Self.start(settings: settings)
        let apex = DNSName("example.test")!
        let resolver = try await ValidatingResolver.start(zone: "example.test", directorPort: signed.running.dnsPort, ds: [signed.ds])
        var asked = 0
        /// A name not asked before, so that its denial is signed by the key that signs now.
        func validates(_ resolver: ValidatingResolver) throws -> Bool {
            asked += 1
            let answer = try DigRunner.dig(port: resolver.port, ["roll-\(asked).example.test"])
            return answer.contains("status: NOERROR") && answer.contains(" ad;")
        }
        #expect(try validates(resolver))

        let folder = ZoneKeyFolder(path: signed.keys.path)
        let roll = try ZoneKeyRoll(keys: folder.load(zone: apex).keys, now: .now, wait: .seconds(3), removeAfter: .seconds(3))
        for key in roll.retired { try folder.write(key, zone: apex) }
        try folder.write(roll.next, zone: apex)
        let old = signed.key.keyTag, new = roll.next.keyTag

        // Published beside the old key, which still signs.
        #expect(await eventually { signed.signer?.identity.published.sorted() == [old, new].sorted() })
        #expect(signed.signer?.identity.signing == [old] && signed.signer?.identity.signalled.sorted() == [old, new].sorted())
        #expect(try validates(resolver), "\(resolver.log)")

        // Switched: the new key signs, the old one signs the DNSKEY set, CDS names the new key.
        #expect(await eventually(within: .seconds(10)) { signed.signer?.identity.signing == [new] })
        #expect(signed.signer?.identity.keySigning.sorted() == [old, new].sorted() && signed.signer?.identity.signalled == [new])
        #expect(try validates(resolver), "\(resolver.log)")
        let updated = try await ValidatingResolver.start(zone: "example.test", directorPort: signed.running.dnsPort, ds: [Self.ds(of: roll.next)])
        #expect(try validates(updated), "\(updated.log)")

        // Removed: the new key alone; the updated parent's DS still validates, the old DS no longer does.
        #expect(await eventually(within: .seconds(10)) { signed.signer?.identity.published == [new] })
        #expect(try validates(updated), "\(updated.log)")
        resolver.stop()
        let stale = try await ValidatingResolver.start(zone: "example.test", directorPort: signed.running.dnsPort, ds: [signed.ds])
        #expect(try DigRunner.dig(port: stale.port, ["roll-final.example.test"]).contains("status: SERVFAIL"))
        stale.stop()
        updated.stop()
        await signed.stop()
    }

    /// With `denial: white-lies`, a name that does not exist is NXDOMAIN with two made-up NSECs
    /// (the name's and its closest encloser's wildcard), and unbound and delv validate it.
    @Test func whiteLiesAreNXDOMAINAndValidate() async throws {
        var settings = DNSSECSettings()
        settings.denial = .whiteLies
        let signed = try await Self.start(settings: settings)
        let resolver = try await ValidatingResolver.start(zone: "example.test", directorPort: signed.running.dnsPort, ds: [signed.ds])
        for name in ["nope.example.test", "deep.below.api.example.test", "a.example.test", "zzz.example.test", "Mixed-Case.example.test"] {
            let direct = try DigRunner.dig(port: signed.running.dnsPort, ["+dnssec", "+norec", name])
            #expect(direct.contains("status: NXDOMAIN") && direct.components(separatedBy: "NSEC 13 ").count == 3, "\(direct)")
            let answer = try DigRunner.dig(port: resolver.port, [name])
            #expect(answer.contains("status: NXDOMAIN") && answer.contains(" ad;"), "\(name): \(answer)\n\(resolver.log)")
        }
        // A missing type is one NSEC at the name, as with compact denial.
        let nodata = try DigRunner.dig(port: resolver.port, ["api.example.test", "TXT"])
        #expect(nodata.contains("status: NOERROR") && nodata.contains(" ad;"), "\(nodata)")
        resolver.stop()
        await signed.stop()
    }
}
