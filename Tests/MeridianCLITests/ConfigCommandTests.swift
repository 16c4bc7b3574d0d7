import Foundation
import MeridianCore
import MeridianServer
import MeridianTesting
import Testing

/// `meridian ctl apply`, `ctl config` and `ctl config rollback` against two real `meridian serve`
/// processes (ist-a and ankara) peering on loopback, and SIGHUP applying the edited folder.
@Suite(.serialized)
struct ConfigCommandTests {
    @Test func applyReachesEveryDirectorAndConfigShowsIt() async throws {
        let (folder, ports) = try RegionsCopy.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let token = folder.appendingPathComponent("token").path
        try "a token that is long enough\n".write(toFile: token, atomically: true, encoding: .utf8)
        var processes: [Process] = []
        defer { for process in processes where process.isRunning { process.terminate() } }
        for (region, director) in [("istanbul", "ist-a"), ("ankara", "ankara")] {
            processes.append(try CommandRunner.start(["serve", "--region", region, "--director", director, "--regions", folder.path,
                                                      "--state", folder.path + "/\(director)-state", "--insecure-loopback-keys",
                                                      "--admin-token-file", token, "--log-level", "warning"]))
        }
        let istanbul = "http://127.0.0.1:\(ports["10090"]!)", ankara = "http://127.0.0.1:\(ports["20090"]!)"
        #expect(await eventually(within: .seconds(20)) { (try? CommandRunner.run(["ctl", "config", "--director", ankara]))?.status == 0 })

        // A folder that does not load: every problem, with file and line, and exit 1.
        let edited = folder.appendingPathComponent("edited")
        try FileManager.default.createDirectory(at: edited, withIntermediateDirectories: true)
        for name in CommandRunner.shippedRegionFiles {
            try FileManager.default.copyItem(at: folder.appendingPathComponent(name), to: edited.appendingPathComponent(name))
        }
        let global = edited.appendingPathComponent("global.yaml")
        let original = try String(contentsOf: global, encoding: .utf8)
        try (original + "surprise: 1\n").write(to: global, atomically: true, encoding: .utf8)
        let broken = try CommandRunner.run(["ctl", "apply", edited.path, "--director", istanbul, "--token-file", token])
        #expect(broken.status == 1 && broken.errors.contains("422") && broken.errors.contains("global.yaml:"), "\(broken.errors)")

        try (original + "# applied\n").write(to: global, atomically: true, encoding: .utf8)
        let applied = try CommandRunner.run(["ctl", "apply", edited.path, "--director", istanbul, "--token-file", token, "--author", "ayse"])
        #expect(applied.status == 0 && applied.output.contains("release 1 installed"), "\(applied.output)\(applied.errors)")
        #expect(await eventually(within: .seconds(15)) {
            let shown = try? CommandRunner.run(["ctl", "config", "--director", ankara])
            return shown?.output.split(separator: "\n").filter { $0.contains(" 1 ") && $0.contains("ayse") }.count == 2
        })
        let shown = try CommandRunner.run(["ctl", "config", "--director", ankara])
        #expect(shown.output.contains("DIRECTOR") && shown.output.contains("ankara (asked)") && shown.output.contains("kept: 1"), "\(shown.output)")

        // Rollback: the folder's first release again, as release 2.
        let rollback = try CommandRunner.run(["ctl", "config", "rollback", "1", "--director", ankara, "--token-file", token, "--author", "mehmet"])
        #expect(rollback.status == 0 && rollback.output.contains("release 2 installed"), "\(rollback.output)\(rollback.errors)")

        // SIGHUP: ist-a's own folder, edited, becomes release 3 everywhere (once ist-a runs release 2:
        // before, it would make a second release 2, and the higher fingerprint of the two would win).
        func running(_ director: String) -> ConfigurationDocument.ReleaseStatus? {
            let json = try? CommandRunner.run(["ctl", "config", "--director", director, "--json"])
            return json.flatMap { try? JSONDecoder().decode(ConfigurationDocument.self, from: Data($0.output.utf8)) }?.running
        }
        #expect(await eventually(within: .seconds(15)) { running(istanbul)?.serial == 2 })
        try (original + "# on disk\n").write(to: folder.appendingPathComponent("global.yaml"), atomically: true, encoding: .utf8)
        kill(processes[0].processIdentifier, SIGHUP)
        #expect(await eventually(within: .seconds(15)) {
            running(ankara).map { $0.serial == 3 && $0.author == "sighup@ist-a" } == true
        })
    }
}
