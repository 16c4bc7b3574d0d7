import Foundation
import MeridianTesting
import Testing

/// The examples stay valid: every configuration passes `meridian check`, and the systemd unit
/// passes `systemd-analyze verify` where systemd is installed.
struct ExamplesTests {
    static let examples = CommandRunner.packageRoot.appendingPathComponent("examples")

    @Test func everyExampleConfigurationPassesCheck() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.examples.path).filter { name in
            FileManager.default.fileExists(atPath: Self.examples.appendingPathComponent("\(name)/global.yaml").path)
        }
        #expect(!folders.isEmpty)
        for folder in folders {
            let result = try CommandRunner.run(["check", Self.examples.appendingPathComponent(folder).path])
            #expect(result.status == 0, "examples/\(folder): \(result.errors)")
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"),
                   "systemd-analyze is not installed: the unit is not verified here"))
    func theSystemdUnitVerifies() throws {
        // The unit names the installed binary; verify it against the one just built.
        let unit = try String(contentsOf: Self.examples.appendingPathComponent("systemd/meridian@.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/meridian", with: CommandRunner.binary.path)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("meridian@.service").path
        try unit.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["/usr/bin/systemd-analyze", "verify", path], program: true)
        #expect(result.status == 0 && result.errors.isEmpty, "\(result.errors)")
    }
}
