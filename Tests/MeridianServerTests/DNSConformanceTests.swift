import Foundation
import MeridianCore
import MeridianTesting
import Testing
@testable import MeridianServer

/// A director's DNS listeners asked by real clients: dig (dnsutils) and Python's dnspython, over UDP
/// and TCP. `.ci/run` installs both.
@Suite(.serialized)
struct DNSConformanceTests {
    /// Runs a program and returns its standard output.
    private func run(_ program: String, _ arguments: [String], input: String? = nil) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: program) else {
            Issue.record("\(program) is not installed (apt-get install dnsutils python3-dnspython; .ci/run does)")
            return ""
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        if let input {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            pipe.fileHandleForWriting.write(Data(input.utf8))
            try pipe.fileHandleForWriting.close()
        } else {
            try process.run()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    private func dig(_ running: RunningDirector, _ arguments: String...) throws -> String {
        try run("/usr/bin/dig", ["@127.0.0.1", "-p", "\(running.dnsPort)", "+time=2", "+tries=1"] + arguments)
    }

    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).sorted()
    }

    @Test func digIsSteeredByClientSubnetOverUDPAndTCPAndFollowsAFailure() async throws {
        let world = try await LiveWorld.start()
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })

        #expect(lines(try dig(running, "api.example.test", "+short", "+subnet=10.34.0.0/16")) == ["127.0.1.1", "127.0.1.2"])
        #expect(lines(try dig(running, "api.example.test", "+short", "+subnet=10.6.0.0/16")) == ["127.0.2.1", "127.0.2.2"])
        #expect(lines(try dig(running, "api.example.test", "+short", "+tcp", "+subnet=10.6.0.0/16")) == ["127.0.2.1", "127.0.2.2"])
        // Without EDNS the source (127.0.0.1, in no network) falls back to this director's region.
        #expect(lines(try dig(running, "api.example.test", "+short", "+noedns")) == ["127.0.1.1", "127.0.1.2"])
        let full = try dig(running, "api.example.test", "+subnet=10.34.0.0/16")
        #expect(full.contains("status: NOERROR") && full.contains("flags: qr aa rd;") && full.contains("CLIENT-SUBNET: 10.34.0.0/16/16"))

        // Every answer is counted: by type, code and transport, by region, by client subnet.
        let metrics = try PrometheusText.parse(String(decoding: try await running.get("/metrics").body, as: UTF8.self))
        func value(_ name: String, _ labels: [String: String]) -> Double {
            metrics.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value ?? 0
        }
        #expect(value("meridian_dns_queries_total", ["type": "A", "rcode": "NOERROR", "transport": "udp"]) >= 4)
        #expect(value("meridian_dns_queries_total", ["type": "A", "rcode": "NOERROR", "transport": "tcp"]) >= 1)
        #expect(value("meridian_dns_answers_total", ["region": "ankara"]) >= 2)
        #expect(value("meridian_dns_client_subnet_total", ["used": "true"]) >= 4)

        for name in ["ist-1", "ist-2"] { try await world.gateways[GatewayName(name)!]!.setMode(.down) }
        #expect(await eventually {
            (try? lines(dig(running, "api.example.test", "+short", "+subnet=10.34.0.0/16"))) == ["127.0.2.1", "127.0.2.2"]
        })
        await running.stop()
        await world.stop()
    }

    @Test func digSeesEveryResponseCode() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let running = try await RunningDirector.start(world)
        #expect(try dig(running, "nope.example.test").contains("status: NXDOMAIN"))
        let nodata = try dig(running, "api.example.test", "AAAA")
        #expect(nodata.contains("status: NOERROR") && nodata.contains("ANSWER: 0") && nodata.contains("SOA"))
        #expect(try dig(running, "www.example.org").contains("status: REFUSED"))
        #expect(try dig(running, "example.test", "SOA", "+short").contains("ns-ankara.example.test. hostmaster.example.test."))
        #expect(try dig(running, "id.server", "CH", "TXT", "+short") == "\"istanbul\"\n")
        // dig prints the identifier as hex and, when printable, as text.
        #expect(try dig(running, "api.example.test", "+nsid").contains("NSID: 69 73 74 61 6e 62 75 6c (\"istanbul\")"))
        #expect(try dig(running, "api.example.test", "+nsid", "+tcp").contains("(\"istanbul\")"))
        #expect(try !dig(running, "api.example.test").contains("NSID"))
        #expect(try dig(running, "api.example.test", "+edns=1", "+noednsneg").contains("status: BADVERS"))
        #expect(try dig(running, "_explain.api.example.test", "TXT", "+short", "+subnet=10.6.0.0/16").contains("answer ankara"))
        await running.stop()
        await world.stop()
    }

    @Test func largeAnswersTruncateOverUDPAndCompleteOverTCP() async throws {
        // 61 gateways probe one stand-in: a stall of it under a loaded machine takes them all down and
        // back, and a ramped failback would then steer the client to Ankara for a while.
        let world = try await LiveWorld.start(perRegion: 1, interval: .milliseconds(500), timeout: .milliseconds(400),
                                              sharingGateways: 60, maxAnswers: 64, failback: .immediate)
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        // The answers follow the last verdict with the snapshot installed after it: wait for that.
        var seen: Int?
        #expect(await eventually {
            seen = try? lines(dig(running, "api.example.test", "+noedns", "+tcp", "+short")).count
            return seen == 61
        }, "last saw \(seen.map(String.init) ?? "no answer") addresses over TCP")
        let udp = try dig(running, "api.example.test", "+noedns", "+ignore")
        #expect(udp.contains("flags: qr aa tc rd;") && udp.contains("ANSWER: 0"), "\(udp)")
        // dig retries a truncated answer over TCP by itself.
        #expect(lines(try dig(running, "api.example.test", "+noedns", "+short")).count == 61)
        await running.stop()
        await world.stop()
    }

    @Test func dnspythonAgreesOverUDPAndTCPAndGetsFormerrAndNotimp() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let running = try await RunningDirector.start(world)
        let script = """
            import socket, sys
            import dns.message, dns.query, dns.edns, dns.opcode, dns.rcode, dns.flags
            port = int(sys.argv[1])
            def ask(subnet=None, tcp=False, **kw):
                options = [dns.edns.ECSOption(subnet, 16)] if subnet else []
                q = dns.message.make_query("api.example.test", "A", use_edns=0, options=options, **kw)
                r = (dns.query.tcp if tcp else dns.query.udp)(q, "127.0.0.1", port=port, timeout=2)
                return r
            r = ask("10.6.0.0")
            print("udp", dns.rcode.to_text(r.rcode()), sorted(rr.address for rrset in r.answer for rr in rrset),
                  bool(r.flags & dns.flags.AA), bool(r.flags & dns.flags.RA))
            r = ask("10.34.0.0", tcp=True)
            print("tcp", dns.rcode.to_text(r.rcode()), sorted(rr.address for rrset in r.answer for rr in rrset))
            q = dns.message.make_query("api.example.test", "A")
            q.set_opcode(dns.opcode.STATUS)
            print("status", dns.rcode.to_text(dns.query.udp(q, "127.0.0.1", port=port, timeout=2).rcode()))
            wire = bytearray(dns.message.make_query("api.example.test", "A").to_wire())
            wire[4:6] = (2).to_bytes(2, "big")          # says two questions, carries one
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
            s.sendto(bytes(wire), ("127.0.0.1", port))
            reply = s.recv(512)
            print("formerr", reply[:2] == wire[:2], reply[3] & 0x0F)
            s.sendto(b"\\x01\\x02", ("127.0.0.1", port))   # not even a header: dropped
            try:
                s.recv(512); print("short answered")
            except socket.timeout:
                print("short dropped")
            """
        let output = try run("/usr/bin/python3", ["-", "\(running.dnsPort)"], input: script)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines == [
            "udp NOERROR ['127.0.2.1'] True False",
            "tcp NOERROR ['127.0.1.1']",
            "status NOTIMP",
            "formerr True 1",
            "short dropped",
        ], "\(output)")
        await running.stop()
        await world.stop()
    }

    @Test func digGetsTheStaticRecordsOverUDPAndTCPCountedAndInTheStatus() async throws {
        var world = try await LiveWorld.start(perRegion: 1)
        world.configuration.records = try ConfigurationLoader.load(directory: ReleaseFleet.packageRoot.appendingPathComponent("regions").path).records
        let running = try await RunningDirector.start(world)
        for transport in ["+notcp", "+tcp"] {
            #expect(try dig(running, "example.test", "MX", "+short", transport) == "10 mail.example.net.\n")
            #expect(try dig(running, "example.test", "CAA", "+short", transport) == "0 issue \"letsencrypt.org\"\n")
            #expect(try dig(running, "_sip._tcp.example.test", "SRV", "+short", transport) == "10 5 5060 sip.example.net.\n")
            #expect(try dig(running, "docs.example.test", "+short", transport) == "docs.example.net.\n")
        }
        let referral = try dig(running, "www.lab.example.test", "+norec")
        #expect(referral.contains("flags: qr;") && referral.contains("AUTHORITY: 1") && referral.contains("127.0.0.53"), "\(referral)")

        let metrics = try PrometheusText.parse(String(decoding: try await running.get("/metrics").body, as: UTF8.self))
        let counted = metrics.first { $0.name == "meridian_dns_static_answers_total" && $0.labels["type"] == "MX" }?.value
        #expect(counted == 2)
        let status = try JSONDecoder().decode(StatusDocument.self, from: try await running.get("/v1/status").body)
        #expect(status.records?.contains { $0.name == "lab.example.test" && $0.type == "NS" && $0.values == ["ns1.lab.example.test."] } == true)
        await running.stop()
        await world.stop()
    }
}
