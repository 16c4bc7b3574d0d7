import Foundation
import MeridianCore
import MeridianHTTP
import MeridianServer
import MeridianTesting
import Testing

/// `meridian ctl explain` against a real `meridian serve`, and the serve's redirect listener.
@Suite(.serialized)
struct CtlCommandTests {
    @Test func explainPrintsTheDecisionWithScriptableExitCodes() async throws {
        let (folder, ports) = try RegionsCopy.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Ankara's director: the first of the folder, which ctl reaches when told no other.
        let process = try CommandRunner.start(["serve", "--region", "ankara", "--regions", folder.path, "--state", folder.path + "/state", "--log-level", "warning"])
        defer { if process.isRunning { process.terminate() } }
        let api = "http://127.0.0.1:\(ports["20090"]!)"
        #expect(await eventually {
            (try? CommandRunner.run(["ctl", "explain", "--client", "10.6.1.1", "--service", "api", "--director", api]))?.status == 0
        })

        let text = try CommandRunner.run(["ctl", "explain", "--client", "10.6.1.1", "--service", "api", "--director", api])
        #expect(text.status == 0)
        #expect(text.output.contains("client      network ankara-metro (10.6.0.0/16)"), "\(text.output)")
        #expect(text.output.contains("REGION") && text.output.contains("istanbul"))
        #expect(text.output.split(separator: "\n").contains { $0.hasPrefix("ttl         ") && $0.contains("s") }, "\(text.output)")

        // --json prints the director's document; MERIDIAN_DIRECTOR names the director too.
        let json = try CommandRunner.run(["ctl", "explain", "--client", "10.34.1.1", "--service", "api.example.test", "--json"],
                                         environment: ["MERIDIAN_DIRECTOR": api])
        #expect(json.status == 0)
        let report = try JSONDecoder().decode(DecisionReport.self, from: Data(json.output.utf8))
        #expect(report.client.network == "istanbul-metro" && report.service == "api")
        #expect(report.ttl.map { (1...10).contains($0) } == true, "\(json.output)")

        // The director refuses: exit 1 with its reason. No director: exit 3.
        let unknown = try CommandRunner.run(["ctl", "explain", "--client", "10.6.1.1", "--service", "nope", "--director", api])
        #expect(unknown.status == 1 && unknown.errors.contains("no service 'nope'"), "\(unknown.errors)")
        let unreachable = try CommandRunner.run(["ctl", "explain", "--client", "10.6.1.1", "--service", "api",
                                                 "--director", "http://127.0.0.1:\(try FreePort.take())"])
        #expect(unreachable.status == 3 && unreachable.errors.contains("cannot reach the director"))
        // Without --director or MERIDIAN_DIRECTOR: the first director of --regions.
        let first = try CommandRunner.run(["ctl", "explain", "--client", "10.6.1.1", "--service", "api", "--regions", folder.path])
        #expect(first.status == 0 && first.output.contains("network ankara-metro"), "\(first.errors)")
        let usage = try CommandRunner.run(["ctl", "explain", "--client", "not-an-ip", "--service", "api"])
        #expect(usage.status == 64)

        // The serve's redirect listener answers too (its gateways are not running: once each has been
        // probed, all are down, and fail-open sends this client, placed in Istanbul by the `local`
        // network, to the nearest region).
        var redirect = ""
        #expect(await eventually {
            redirect = (try? CommandRunner.curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: go.example.test",
                                                 "http://127.0.0.1:\(ports["20080"]!)/x?y=1"])) ?? ""
            return redirect == "302 https://ist.api.example.test/x?y=1"
        }, "\(redirect)")
    }
}

@Suite(.serialized)
struct CtlOverrideCommandTests {
    @Test func failRestoreAndOverridesWithTheAdminToken() async throws {
        let (folder, ports) = try RegionsCopy.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tokenFile = folder.appendingPathComponent("token")
        try "a token that is long enough\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        let wrongFile = folder.appendingPathComponent("wrong")
        try "some other token entirely".write(to: wrongFile, atomically: true, encoding: .utf8)
        let process = try CommandRunner.start(["serve", "--region", "istanbul", "--director", "ist-a", "--regions", folder.path, "--state", folder.path + "/state", "--log-level", "warning",
                                               "--admin-token-file", tokenFile.path])
        defer { if process.isRunning { process.terminate() } }
        let director = ["--director", "http://127.0.0.1:\(ports["10090"]!)"]
        #expect(await eventually { (try? CommandRunner.run(["ctl", "overrides"] + director))?.status == 0 })

        let fail = try CommandRunner.run(["ctl", "fail", "istanbul", "--for", "10m", "--reason", "drill", "--author", "test",
                                          "--token-file", tokenFile.path] + director)
        #expect(fail.status == 0, "\(fail.errors)")
        #expect(fail.output.contains("region istanbul  down    test"), "\(fail.output)")
        let status = try CommandRunner.run(["ctl", "status"] + director)
        #expect(status.status == 0 && status.output.contains("forced down by test: drill"), "\(status.output)")
        // It names the director and its region, and every other director with its region.
        #expect(status.output.hasPrefix("director ist-a (istanbul)  version "), "\(status.output)")
        let peerRows = status.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(peerRows.contains { $0.prefix(3) == ["ist-b", "istanbul", "off"] } && peerRows.contains { $0.prefix(3) == ["ankara", "ankara", "off"] },
                "\(status.output)")
        let refused = try CommandRunner.run(["ctl", "restore", "istanbul", "--token-file", wrongFile.path] + director)
        #expect(refused.status == 1 && refused.errors.contains("401"), "\(refused.errors)")
        let restore = try CommandRunner.run(["ctl", "restore", "istanbul", "--token-file", tokenFile.path] + director)
        #expect(restore.status == 0 && restore.output.contains("no override in force"), "\(restore.output)")
        // Without --author and with USER unset (sudo -i, cron), the author is the account running ctl.
        let drain = try CommandRunner.run(["ctl", "drain", "ankara", "--token-file", tokenFile.path] + director, environment: ["USER": ""])
        let drainLine = drain.output.split(separator: "\n").first { $0.hasPrefix("region ankara") } ?? ""
        #expect(drain.status == 0 && drainLine.contains(" \(NSUserName()) ") && !drainLine.contains("unknown"), "\(drain.output)")
        let json = try CommandRunner.run(["ctl", "overrides", "--json"] + director)
        #expect(json.status == 0 && json.output.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("["))
    }
}

@Suite(.serialized)
struct StateFolderTests {
    @Test func aDirectorKilledAndRestartedKeepsItsOverridesAndAnswersFromTheFirstQuery() async throws {
        let (folder, ports) = try RegionsCopy.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let tokenFile = folder.appendingPathComponent("token")
        try "a token that is long enough".write(to: tokenFile, atomically: true, encoding: .utf8)
        let arguments = ["serve", "--region", "istanbul", "--director", "ist-a", "--regions", folder.path, "--state", folder.path + "/state",
                         "--log-level", "warning", "--admin-token-file", tokenFile.path]
        let director = ["--director", "http://127.0.0.1:\(ports["10090"]!)"]
        var process = try CommandRunner.start(arguments)
        #expect(await eventually { (try? CommandRunner.run(["ctl", "overrides"] + director))?.status == 0 })
        let fail = try CommandRunner.run(["ctl", "fail", "istanbul", "--for", "10m", "--reason", "drill",
                                          "--token-file", tokenFile.path] + director)
        #expect(fail.status == 0, "\(fail.errors)")
        let saved = folder.appendingPathComponent("state/overrides.json")
        #expect(((try? String(contentsOf: saved, encoding: .utf8)) ?? "").contains("drill"))

        // SIGKILL: no chance to save anything more. The restarted director has the override before
        // it has probed anything, and its very first DNS answer for Istanbul's network is Izmir's or Ankara's.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        process = try CommandRunner.start(arguments)
        defer { if process.isRunning { process.terminate() } }
        var first = ""
        #expect(await eventually {
            guard let dig = try? CommandRunner.run(["/usr/bin/dig", "+short", "+time=1", "+tries=1", "-p", "\(ports["10053"]!)",
                                                    "@127.0.0.1", "api.example.test", "+subnet=10.34.0.0/16"], program: true),
                  dig.status == 0 else { return false }
            first = dig.output
            return !first.isEmpty
        })
        #expect(first.split(separator: "\n").allSatisfy { $0.hasPrefix("127.0.4.") || $0.hasPrefix("127.0.2.") }, "\(first)")
        let overrides = try CommandRunner.run(["ctl", "overrides"] + director)
        #expect(overrides.output.contains("region istanbul  down") && overrides.output.contains("drill"), "\(overrides.output)")
    }
}

extension CommandRunner {
    /// curl's output, or a recorded issue when curl is missing.
    static func curl(_ arguments: [String]) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else {
            Issue.record("curl is not installed (apt-get install curl; .ci/run does)")
            return ""
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "--max-time", "5"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
