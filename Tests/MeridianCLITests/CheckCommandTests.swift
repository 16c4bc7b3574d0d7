import Foundation
import MeridianTesting
import Testing

struct CheckCommandTests {
    @Test func checkAcceptsTheShippedRegions() throws {
        let result = try CommandRunner.run(["check"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.hasPrefix("regions is valid: zone example.test, 3 regions, 5 gateways"))
        #expect(result.output.contains("istanbul  41.0082N 28.9784E"))
        #expect(result.errors.isEmpty)
    }

    @Test func checkNamesEveryProblemWithFileAndLineAndExitsOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in CommandRunner.shippedRegionFiles {
            var text = try String(contentsOf: CommandRunner.packageRoot.appendingPathComponent("regions/\(name)"), encoding: .utf8)
            switch name {
            case "global.yaml": text = text.replacingOccurrences(of: "port: 18080", with: "port: 18080\n  interval: soon")
            case "istanbul.yaml": text = text.replacingOccurrences(of: "address: 127.0.1.2", with: "adress: 127.0.1.2")
            default: text = text.replacingOccurrences(of: "lat: 39.9334", with: "lat: 99")
            }
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let result = try CommandRunner.run(["check", folder.path])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        let lines = result.errors.split(separator: "\n").map(String.init)
        let pattern = #/^.+\.yaml:\d+:\d+: error: .+$/#
        #expect(lines.dropLast().allSatisfy { $0.wholeMatch(of: pattern) != nil }, "\(lines)")
        #expect(lines.contains { $0.contains("global.yaml:") && $0.contains("'soon' is not a duration") })
        #expect(lines.contains { $0.contains("istanbul.yaml:") && $0.contains("did you mean 'address'?") })
        #expect(lines.contains { $0.contains("ankara.yaml:") && $0.contains("99.0 is out of range") })
        #expect(lines.last == "4 problems in \(folder.path)")
    }

    @Test func checkListsEveryDirectorAndServeAsksWhichOneToRun() throws {
        let (folder, ports) = try RegionsCopy.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let check = try CommandRunner.run(["check", folder.path])
        #expect(check.status == 0, "\(check.errors)")
        let rows = check.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(rows.contains { $0.first == "istanbul" && $0.suffix(2) == ["ist-a,", "ist-b"] }, "\(check.output)")
        #expect(rows.contains { $0.prefix(4) == ["ist-b", "istanbul", "127.0.0.1:\(ports["10153"]!)", "127.0.0.1:\(ports["10180"]!)"] },
                "\(check.output)")
        #expect(rows.contains { $0.prefix(2) == ["ankara", "ankara"] }, "a region's one director is named after it")

        let unnamed = try CommandRunner.run(["serve", "--region", "istanbul", "--regions", folder.path, "--state", folder.path + "/state"])
        #expect(unnamed.status == 1)
        #expect(unnamed.errors.contains("region istanbul has 2 directors (ist-a, ist-b): name the one to run (--director)"), "\(unnamed.errors)")
        let unknown = try CommandRunner.run(["serve", "--region", "istanbul", "--director", "ist-z", "--regions", folder.path,
                                             "--state", folder.path + "/state"])
        #expect(unknown.status == 1)
        #expect(unknown.errors.contains("region istanbul has no director 'ist-z' (its directors: ist-a, ist-b)"), "\(unknown.errors)")
    }

    @Test func checkSummarisesAGeoIPDatabaseAndRefusesABrokenOneAtItsLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try TestGeoDatabase.write([TestGeoDatabase.Entry("203.0.113.0/24", city: "Izmir", country: "TR",
                                                                        location: (38.42, 27.14), accuracyKilometres: 20)])
        try Data(repeating: 0x4d, count: 1000).write(to: folder.appendingPathComponent("broken.mmdb"))
        func check(_ path: String) throws -> CommandRunner.Result {
            for name in CommandRunner.shippedRegionFiles {
                var text = try String(contentsOf: CommandRunner.packageRoot.appendingPathComponent("regions/\(name)"), encoding: .utf8)
                if name == "global.yaml" { text = "geoip:\n  database: \(path)\n" + text }
                try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
            return try CommandRunner.run(["check", folder.path])
        }
        let good = try check(database)
        #expect(good.status == 0, "\(good.errors)")
        #expect(good.output.contains("GeoIP: \(database) (GeoIP2-City, built "), "\(good.output)")
        // A relative path is taken from the configuration's folder.
        let broken = try check("broken.mmdb")
        #expect(broken.status == 1)
        #expect(broken.errors.contains("global.yaml:2:"), "\(broken.errors)")
        #expect(broken.errors.contains("cannot be used as a GeoIP database"), "\(broken.errors)")
    }

    @Test func checkReportsAMissingFolder() throws {
        let result = try CommandRunner.run(["check", "/nonexistent/regions"])
        #expect(result.status == 1)
        #expect(result.errors.contains("/nonexistent/regions: error: no such configuration folder"))
    }
}
