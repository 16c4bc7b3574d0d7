import Foundation
import MeridianServer
import MeridianTesting

/// The fleet under test: two directors in each region of a `ChaosNetwork`, each with a key of its
/// own, one gateway per region, and a client per region asking its region's directors without pause.
/// Every process runs in its region's namespace, from the built `meridian` binary.
final class ChaosFleet: @unchecked Sendable {
    /// One director: its name, region and ports on the region's address.
    struct Member: Hashable {
        var name: String
        var region: String
        var dns: Int, redirect: Int, api: Int
    }

    let network: ChaosNetwork
    let folder: URL
    let members: [Member]
    let token = "chaos-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    private(set) var directors: [String: Process] = [:]
    private(set) var gateways: [String: Process] = [:]
    private var clients: [Process] = []
    /// When each director process started, and its RSS samples (KiB) with the time taken.
    private(set) var started: [String: Date] = [:]

    init(network: ChaosNetwork) throws {
        self.network = network
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-chaos-\(network.tag)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        members = network.regions.flatMap { region in
            ["a", "b"].enumerated().map { index, letter in
                Member(name: "\(region.prefix(3))-\(letter)", region: region, dns: 10053 + 1000 * index,
                       redirect: 10080 + 1000 * index, api: 10090 + 1000 * index)
            }
        }
        try "\(token)\n".write(to: folder.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try writeConfiguration()
    }

    /// The region files and global.yaml: a 500 ms probe interval (observations fresh for 1.75 s, so a
    /// loaded 2-core machine running six directors does not let them go stale), every region's clients located by
    /// their address, and the namespaces' addresses trusted for X-Forwarded-For.
    private func writeConfiguration() throws {
        var networks = ""
        for (index, region) in network.regions.enumerated() {
            networks += "  \(region)-metro: {cidr: 10.\(60 + index).0.0/16, location: \(region)}\n"
            networks += "  \(region)-local: {cidr: \(network.address(of: region))/32, location: \(region)}\n"
        }
        let urls = network.regions.map { "        \($0): https://\($0).api.example.test" }.joined(separator: "\n")
        try """
            zone: example.test
            probe: {port: 18080, interval: 500ms, timeout: 250ms}
            services:
              api:
                ttl: 5s
                redirect:
                  hosts: [go.example.test]
                  urls:
            \(urls)
            trusted-proxies: [10.252.0.0/24]
            networks:
            \(networks)
            """.write(to: folder.appendingPathComponent("global.yaml"), atomically: true, encoding: .utf8)
        for (index, region) in network.regions.enumerated() {
            let address = network.address(of: region)
            var directors = ""
            for member in members where member.region == region {
                let key = try makeKey(member.name)
                directors += "  \(member.name): {dns: \"\(address):\(member.dns)\", redirect: \"\(address):\(member.redirect)\", "
                    + "api: \"\(address):\(member.api)\", key: \"\(key)\"}\n"
            }
            try """
                location: {lat: \(38 + index), lon: \(28 + 2 * index)}
                directors:
                \(directors)gateways:
                  \(region.prefix(3))-1: {address: \(address)}
                """.write(to: folder.appendingPathComponent("\(region).yaml"), atomically: true, encoding: .utf8)
        }
    }

    private func makeKey(_ name: String) throws -> String {
        let made = try CommandRunner.run(["keygen", "--out", folder.appendingPathComponent("\(name).key").path])
        guard made.status == 0 else { throw ChaosError("keygen: \(made.errors)") }
        return made.output.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "director.key: ", with: "")
    }

    private func inNamespace(of region: String, _ arguments: [String]) throws -> Process {
        try CommandRunner.start(["/usr/sbin/ip", "netns", "exec", network.namespace(of: region), CommandRunner.binary.path] + arguments,
                                program: true)
    }

    /// Starts (or restarts) the director `member`.
    func startDirector(_ member: Member) throws {
        directors[member.name] = try inNamespace(of: member.region, [
            "serve", "--region", member.region, "--director", member.name, "--regions", folder.path,
            "--state", folder.appendingPathComponent("state-\(member.name)").path,
            "--key-file", folder.appendingPathComponent("\(member.name).key").path,
            "--admin-token-file", folder.appendingPathComponent("token").path, "--log-level", "error",
        ])
        started[member.name] = Date()
    }

    /// Kills the director `member` with SIGKILL, as a crash would.
    func killDirector(_ member: Member) {
        guard let process = directors[member.name], process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts (or restarts) `region`'s gateway; `running: false` kills it.
    func gateway(of region: String, running: Bool) throws {
        if let process = gateways[region], process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        guard running else { return }
        gateways[region] = try inNamespace(of: region, ["gateway", "--name", "\(region.prefix(3))-1",
                                                       "--listen", "\(network.address(of: region)):18080", "--log-level", "error"])
    }

    /// Starts a client in every region for `seconds`, each writing its answers to `answers-REGION.jsonl`.
    func startClients(for seconds: Int) throws {
        let script = CommandRunner.packageRoot.appendingPathComponent("Tests/Chaos/client.py").path
        for region in network.regions {
            let address = network.address(of: region)
            let targets = members.filter { $0.region == region }.map { "\($0.name)=\(address):\($0.dns),\(address):\($0.redirect)" }
            let output = folder.appendingPathComponent("answers-\(region).jsonl").path
            let networks = network.regions.indices.map { "10.\(60 + $0).0.0/16" }.joined(separator: ",")
            clients.append(try CommandRunner.start(["/bin/sh", "-c",
                "exec /usr/sbin/ip netns exec \(network.namespace(of: region)) /usr/bin/python3 \(script) \(seconds) \(networks) "
                    + "\(targets.joined(separator: " ")) > \(output)"], program: true))
        }
    }

    /// Every answer the clients wrote.
    func answers() throws -> [ChaosAnswer] {
        try network.regions.flatMap { region -> [ChaosAnswer] in
            let text = try String(contentsOf: folder.appendingPathComponent("answers-\(region).jsonl"), encoding: .utf8)
            return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(ChaosAnswer.self, from: Data($0.utf8)) }
        }
    }

    /// `member`'s `/v1/status`, asked from inside its region (nil when it does not answer in a second).
    func status(of member: Member) -> StatusDocument? {
        let url = "http://\(network.address(of: member.region)):\(member.api)/v1/status"
        guard let result = try? CommandRunner.run(["/usr/sbin/ip", "netns", "exec", network.namespace(of: member.region),
                                                   "/usr/bin/curl", "-s", "--max-time", "1", url], program: true),
              result.status == 0 else { return nil }
        return try? JSONDecoder().decode(StatusDocument.self, from: Data(result.output.utf8))
    }

    /// A copy of the configuration folder with the service's TTL set to `ttl` seconds: a new release
    /// for `ctl apply`.
    func editedConfiguration(ttl: Int) throws -> URL {
        let copy = folder.appendingPathComponent("apply-\(ttl)")
        try? FileManager.default.removeItem(at: copy)
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for region in network.regions {
            try FileManager.default.copyItem(at: folder.appendingPathComponent("\(region).yaml"), to: copy.appendingPathComponent("\(region).yaml"))
        }
        let global = try String(contentsOf: folder.appendingPathComponent("global.yaml"), encoding: .utf8)
        try global.replacingOccurrences(of: "ttl: 5s", with: "ttl: \(ttl)s")
            .write(to: copy.appendingPathComponent("global.yaml"), atomically: true, encoding: .utf8)
        return copy
    }

    /// Runs `meridian ctl ARGUMENTS` against `member`, from inside its region.
    func ctl(_ member: Member, _ arguments: [String]) throws -> CommandRunner.Result {
        try CommandRunner.run(["/usr/sbin/ip", "netns", "exec", network.namespace(of: member.region), CommandRunner.binary.path, "ctl"]
                              + arguments + ["--director", "http://\(network.address(of: member.region)):\(member.api)"],
                              environment: ["MERIDIAN_TOKEN": token], program: true)
    }

    /// The resident memory of `member`'s process now, in KiB.
    func residentKiB(of member: Member) -> Int? {
        guard let process = directors[member.name], process.isRunning,
              let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// Stops every process and removes the folder.
    func stop() {
        for process in Array(directors.values) + Array(gateways.values) + clients where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
