import Foundation
import MeridianTesting
import Synchronization
import Testing

/// `meridian demo` as a newcomer runs it: its banner's lines pasted into a shell, SIGHUP, and Ctrl-C.
@Suite(.serialized)
struct DemoCommandTests {
    /// The demo's standard output as it comes.
    final class Output: Sendable {
        private let text = Mutex("")
        var current: String { text.withLock { $0 } }
        func append(_ data: Data) { text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
    }

    static func shell(_ line: String, environment: [String: String] = [:]) throws -> CommandRunner.Result {
        try CommandRunner.run(["/bin/sh", "-c", line], environment: environment, program: true)
    }

    @Test("the banner's HTTPS curl and ctl lines work as printed; SIGHUP reads the certificates again; Ctrl-C stops and cleans up")
    func bannerLinesWork() async throws {
        let (folder, _) = try RegionsCopy.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["demo", "--regions", folder.path, "--log-level", "warning"]
        process.currentDirectoryURL = CommandRunner.packageRoot
        let pipe = Pipe(), output = Output()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil } else { output.append(data) }
        }
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        #expect(await eventually(within: .seconds(60)) { output.current.contains("ctl restore") })
        let lines = output.current.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }

        // The throw-away CA, and the configuration copy it secures.
        let banner = try #require(lines.first { $0.hasPrefix("Configuration: ") })
        let caFile = try #require(banner.components(separatedBy: "throw-away CA: ").last)
        #expect(FileManager.default.fileExists(atPath: caFile))
        let copy = String(banner.dropFirst("Configuration: ".count).prefix { $0 != " " })
        let check = try CommandRunner.run(["check", "--quiet", copy])
        #expect(check.status == 0, "\(check.errors)")

        // Every printed HTTPS redirect line gets a 302 to a configured region, its certificate verified.
        let https = lines.filter { $0.hasPrefix("curl --cacert") && $0.contains("https://go.example.test") }
        #expect(https.count == 3)
        for line in https {
            #expect(await eventually {
                let result = try? Self.shell(line + " -s")
                return result?.status == 0 && result?.output.hasPrefix("HTTP/1.1 302") == true
                    && result?.output.contains("Location: https://") == true
            }, "\(line)")
        }
        // The API over HTTPS: the status line as printed.
        let statusLine = try #require(lines.first { $0.contains("/v1/status | head -40") })
        #expect(await eventually { (try? Self.shell(statusLine))?.output.contains("\"dnssec\"") == true }, "\(statusLine)")

        // The zone is signed with a throw-away key: the delv line validates as printed.
        let delvLine = try #require(lines.first { $0.hasPrefix("delv -a ") })
        let validated = try Self.shell(delvLine)
        #expect(validated.status == 0 && validated.output.hasPrefix("; fully validated"), "\(validated.output)\(validated.errors)")

        // The ctl lines: the exported director and token, and --ca-file.
        let export = try #require(lines.first { $0.hasPrefix("export MERIDIAN_TOKEN=") })
        var environment: [String: String] = [:]
        for assignment in export.dropFirst("export ".count).split(separator: " ") {
            let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
            environment[parts[0]] = parts[1]
        }
        #expect(environment["MERIDIAN_DIRECTOR"]?.hasPrefix("https://") == true)
        let ctlLine = try #require(lines.first { $0.hasPrefix("swift run meridian ctl status --ca-file ") })
        let ctl = try CommandRunner.run(Array(ctlLine.split(separator: " ").dropFirst(3).map(String.init)), environment: environment)
        #expect(ctl.status == 0 && ctl.output.contains("REGION"), "\(ctl.errors)")
        // Without the CA file, ctl refuses the throw-away certificate (exit 3: cannot reach it).
        let unverified = try CommandRunner.run(["ctl", "status"], environment: environment)
        #expect(unverified.status == 3 && unverified.errors.contains("CERTIFICATE_VERIFY_FAILED"), "\(unverified.errors)")

        // SIGHUP reads the certificates again: a broken file is refused (the one in use stays), a good one reloaded.
        let base = try #require(environment["MERIDIAN_DIRECTOR"])
        func metrics() throws -> String { try Self.shell("curl -s --cacert \(caFile) \(base)/metrics").output }
        let redirectCertificate = (caFile as NSString).deletingLastPathComponent + "/redirect.pem"
        let original = try String(contentsOfFile: redirectCertificate, encoding: .utf8)
        try "not a certificate\n".write(toFile: redirectCertificate, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(await eventually { (try? metrics())?.contains("meridian_tls_certificate_reloads_total{outcome=\"refused\"} 1") == true })
        #expect(await eventually { (try? Self.shell(https[0] + " -s"))?.output.hasPrefix("HTTP/1.1 302") == true })
        try original.write(toFile: redirectCertificate, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(await eventually { (try? metrics())?.contains("meridian_tls_certificate_reloads_total{outcome=\"reloaded\"} 1") == true })

        // Ctrl-C: everything stops, and the temporary folder with the CA goes with it.
        kill(process.processIdentifier, SIGINT)
        #expect(await eventually(within: .seconds(20)) { !process.isRunning })
        #expect(process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: caFile))
    }
}
