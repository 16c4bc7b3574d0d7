import Foundation
import MeridianTesting
import MeridianCore
import Testing

struct SimulateCommandTests {
    @Test func simulateShowsIstanbulMovingToAnkara() throws {
        let result = try CommandRunner.run(["simulate", "--fail", "istanbul"])
        #expect(result.status == 0, "\(result.errors)")
        let lines = result.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        // In the api section, every network that went to Istanbul now goes to Ankara.
        let api = result.output.components(separatedBy: "\n\n").drop { !$0.hasPrefix("api.example.test") }
        #expect(!api.isEmpty)
        let metro = try #require(lines.first { $0.first == "istanbul-metro" })
        #expect(metro.suffix(3) == ["istanbul", "ankara", "moved"])
        #expect(result.output.contains("clients move within 12.4s at worst: probe every 1s x fall 2 + timeout 400ms + ttl 10s"))
        // Ankara's load against its capacity, with a warning when over.
        let ankara = try #require(lines.first { $0.first == "ankara" && $0.count >= 5 })
        #expect(ankara[1] == "20000" && ankara[3] == "22000" && ankara[4] == "110%")
        #expect(result.output.contains("warning: ankara would carry 22000, 110% of its capacity 20000"))
    }

    @Test func jsonIsTheSameReportTheEngineComputes() throws {
        let result = try CommandRunner.run(["simulate", "--fail", "istanbul", "--client", "10.34.1.1", "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let decoded = try JSONDecoder().decode(SimulationReport.self, from: Data(result.output.utf8))
        let configuration = try ConfigurationLoader.load(directory: CommandRunner.packageRoot.appendingPathComponent("regions").path)
        let expected = Simulation.run(configuration, failing: ["istanbul"], clients: [IPAddress("10.34.1.1")!])
        #expect(decoded == expected)
        #expect(decoded.services.first?.clients.contains { $0.client == "10.34.1.1" && $0.moved } == true)
    }

    @Test func anUnknownRegionIsAnErrorNotAnEmptyReport() throws {
        let result = try CommandRunner.run(["simulate", "--fail", "izmir"])
        #expect(result.status == 1)
        #expect(result.errors.contains("unknown region 'izmir' (regions: ankara, istanbul)"))
        #expect(result.output.isEmpty)
    }

    @Test func badArgumentsAreUsageErrors() throws {
        let none = try CommandRunner.run(["simulate"])
        #expect(none.status == 64)
        #expect(none.errors.contains("name the regions to fail with --fail REGION, or one to bring back with --recover REGION"))
        let badClient = try CommandRunner.run(["simulate", "--fail", "istanbul", "--client", "10.0.0.300"])
        #expect(badClient.status == 64)
        #expect(badClient.errors.contains("--client '10.0.0.300' is not an IP address"))
    }
}
