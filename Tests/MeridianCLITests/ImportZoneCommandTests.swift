import Foundation
import MeridianTesting
import Testing

/// `meridian import-zone`: a zone file becomes a `records:` block that `meridian check` accepts.
struct ImportZoneCommandTests {
    static let zoneFile = """
        $ORIGIN example.test.
        $TTL 1h
        @   IN SOA ns1 hostmaster ( 2024010101 3600 600
                                    86400 300 )   ; the directors make their own
            IN NS  ns1.example.net.
            IN MX  10 mail.example.net.
            IN TXT "v=spf1 " "include:_spf.example.net -all"
            3600 IN CAA 0 issue "letsencrypt.org"
        files 300 IN A 192.0.2.10
                  IN AAAA 2001:db8::10
        docs IN CNAME docs.example.net.
        _sip._tcp IN SRV 10 5 5060 sip.example.net.
        *.wild IN A 192.0.2.1
        ptr IN PTR host.example.net.
        lab IN NS ns1.lab
        $ORIGIN lab.example.test.
        ns1 IN A 192.0.2.53
        """

    @Test func aZoneFileBecomesARecordsBlockThatCheckAccepts() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let zone = folder.appendingPathComponent("example.test.zone")
        try Self.zoneFile.write(to: zone, atomically: true, encoding: .utf8)

        let imported = try CommandRunner.run(["import-zone", zone.path])
        #expect(imported.status == 2)
        let errors = imported.errors.split(separator: "\n").map(String.init)
        #expect(errors.contains { $0.hasSuffix(":3: not needed: the SOA is the directors' own") })
        #expect(errors.contains { $0.hasSuffix(":13: left out: '*.wild' is not a name records: can hold (wildcards are not supported)") })
        #expect(errors.contains { $0.hasSuffix(":14: left out: PTR is not a type records: takes") })
        #expect(errors.count == 4, "\(errors)")
        #expect(imported.output.contains("    TXT: [\"v=spf1 include:_spf.example.net -all\"]"))
        #expect(imported.output.contains("  \"files\":\n    A: {ttl: 300s, values: [\"192.0.2.10\"]}\n    AAAA: [\"2001:db8::10\"]"))
        #expect(imported.output.contains("  \"ns1.lab\":\n    A: [\"192.0.2.53\"]"))

        // The block replaces the shipped folder's own, and the folder stays valid.
        let regions = folder.appendingPathComponent("regions")
        try FileManager.default.createDirectory(at: regions, withIntermediateDirectories: true)
        for name in CommandRunner.shippedRegionFiles {
            var text = try String(contentsOf: CommandRunner.packageRoot.appendingPathComponent("regions/\(name)"), encoding: .utf8)
            if name == "global.yaml" {
                let start = try #require(text.range(of: "\nrecords:\n")), end = try #require(text.range(of: "\n\n# Proxies"))
                text.replaceSubrange(start.lowerBound..<end.lowerBound, with: "\n" + imported.output)
            }
            try text.write(to: regions.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let checked = try CommandRunner.run(["check", regions.path])
        #expect(checked.status == 0, "\(checked.errors)")
        let rows = checked.output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(rows.contains("files.example.test A 300s 192.0.2.10") && rows.contains("ns1.lab.example.test A 3600s 192.0.2.53"))
        #expect(checked.output.contains("9 static record sets"))
    }

    @Test func anUnreadableFileOrUnknownZoneIsAnError() throws {
        #expect(try CommandRunner.run(["import-zone", "/nonexistent/zone"]).status == 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-import-\(UUID().uuidString).zone")
        try "www IN A 192.0.2.1\n".write(to: folder, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try CommandRunner.run(["import-zone", folder.path])
        #expect(result.status == 1 && result.errors.contains("--zone"))
        let given = try CommandRunner.run(["import-zone", folder.path, "--zone", "example.test"])
        #expect(given.status == 0 && given.output == "records:\n  \"www\":\n    A: [\"192.0.2.1\"]\n")
    }
}
