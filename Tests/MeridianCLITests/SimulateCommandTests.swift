import Foundation
import MeridianTesting
import MeridianCore
import Testing

struct SimulateCommandTests {
    @Test func simulateShowsIzmirSpillingIstanbulsClientsToAnkara() throws {
        let result = try CommandRunner.run(["simulate", "--fail", "istanbul"])
        #expect(result.status == 0, "\(result.errors)")
        // The api section: Istanbul's clients are nearest Izmir, which takes them up to its high
        // watermark (90 % of 8000) and sheds the rest to Ankara, in proportion to spare capacity.
        let start = try #require(result.output.range(of: "api.example.test")), end = try #require(result.output.range(of: "www.example.test"))
        let api = result.output[start.lowerBound..<end.lowerBound]
        let rows = api.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        let metro = try #require(rows.first { $0.first == "istanbul-metro" })
        #expect(metro.last == "moved" && metro.contains("ankara") && metro.contains("izmir"), "\(api)")
        let trabzon = try #require(rows.first { $0.first == "trabzon" })
        #expect(trabzon.suffix(2) == ["ankara", "ankara"], "\(api)")
        let izmir = try #require(rows.first { $0.first == "izmir" && $0.count >= 6 && $0[1] == "8000" })
        #expect(izmir[4] == "90%" && izmir.suffix(2) == ["sheds", "50%"], "\(api)")
        let ankara = try #require(rows.first { $0.first == "ankara" && $0.count >= 5 && $0[1] == "20000" })
        #expect(ankara[2] == "7500" && ankara[3] == "14800" && ankara[4] == "74%", "\(api)")
        #expect(result.output.contains("clients move within 12.4s at worst: probe every 1s x fall 2 + timeout 400ms + ttl 10s"))
        #expect(!api.contains("warning:"), "\(api)")
        // Without the spill, Izmir would carry 14500 (181 %): fail Ankara too, and what is left is over.
        let both = try CommandRunner.run(["simulate", "--fail", "istanbul", "--fail", "ankara"])
        #expect(both.status == 0 && both.output.contains("warning: izmir would carry 22000, 275% of its capacity 8000"), "\(both.output)")
    }

    @Test func theProductionExampleKeepsEveryApiSiteUnderCapacity() throws {
        let result = try CommandRunner.run(["simulate", "--fail", "istanbul", "--regions", CommandRunner.packageRoot.appendingPathComponent("examples/production").path, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let report = try JSONDecoder().decode(SimulationReport.self, from: Data(result.output.utf8))
        let api = try #require(report.services.first { $0.fqdn.hasPrefix("api.") })
        let serving = api.sites.filter { !$0.failed }
        #expect(serving.count == 2 && serving.allSatisfy { !$0.overCapacity && ($0.utilisationAfter ?? 2) <= 0.9 + 1e-9 }, "\(api.sites)")
        #expect(serving.contains { $0.shedAfter > 0 } && report.warnings.isEmpty && api.warnings.isEmpty)
    }

    @Test func jsonIsTheSameReportTheEngineComputes() throws {
        let result = try CommandRunner.run(["simulate", "--fail", "istanbul", "--client", "10.34.1.1", "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let decoded = try JSONDecoder().decode(SimulationReport.self, from: Data(result.output.utf8))
        let configuration = try ConfigurationLoader.load(directory: CommandRunner.packageRoot.appendingPathComponent("regions").path)
        let expected = Simulation.run(configuration, failing: ["istanbul"], clients: [IPAddress("10.34.1.1")!])
        #expect(decoded == expected)
        #expect(decoded.services.first?.clients.contains { $0.client == "10.34.1.1" && $0.moved } == true)
        // One address is one client: it goes to one site (its lane's), while its network splits.
        let address = try #require(decoded.services.first?.clients.first { $0.client == "10.34.1.1" })
        let network = try #require(decoded.services.first?.clients.first { $0.client == "istanbul-metro" })
        #expect(address.after.shares.count == 1 && address.after.shares.first?.share == 1 && network.after.shares.count == 2, "\(address)")
    }

    @Test func anUnknownRegionIsAnErrorNotAnEmptyReport() throws {
        let result = try CommandRunner.run(["simulate", "--fail", "bursa"])
        #expect(result.status == 1)
        #expect(result.errors.contains("unknown region 'bursa' (regions: ankara, istanbul, izmir)"))
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
