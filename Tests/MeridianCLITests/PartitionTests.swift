import Foundation
import MeridianServer
import MeridianTesting
import Testing

/// Two directors in their own network namespaces, joined by a veth link that the test cuts: a real
/// partition. Needs root and `ip`; elsewhere the test is skipped and says why.
@Suite(.serialized)
struct PartitionTests {
    /// Network namespaces can be made here, and `curl` is there.
    static let canRun = NetworkNamespaces.available && FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")

    /// Runs `ip ARGUMENTS`; fails the test when it fails.
    @discardableResult
    func ip(_ arguments: String...) throws -> String {
        let result = try CommandRunner.run(["/usr/sbin/ip"] + arguments, program: true)
        #expect(result.status == 0, "ip \(arguments.joined(separator: " ")): \(result.errors)")
        return result.output
    }

    func status(namespace: String, address: String) -> StatusDocument? {
        guard let result = try? CommandRunner.run(["/usr/sbin/ip", "netns", "exec", namespace, "/usr/bin/curl", "-s", "--max-time", "2",
                                                   "http://\(address):10090/v1/status"], program: true),
              result.status == 0 else { return nil }
        return try? JSONDecoder().decode(StatusDocument.self, from: Data(result.output.utf8))
    }

    @Test(.enabled(if: canRun, "needs root, ip, curl and permission to make network namespaces: no real partition here"))
    func aCutLinkIsolatesBothDirectorsAndNeitherDeclaresTheOtherRegionDead() async throws {
        let tag = String(UInt32.random(in: 0...0xFFFF), radix: 16)
        let (a, b, va, vb) = ("meridian-a-\(tag)", "meridian-b-\(tag)", "mva\(tag)", "mvb\(tag)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-partition-\(tag)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var processes: [Process] = []
        defer {
            for process in processes where process.isRunning { process.terminate(); process.waitUntilExit() }
            _ = try? CommandRunner.run(["/usr/sbin/ip", "netns", "del", a], program: true)
            _ = try? CommandRunner.run(["/usr/sbin/ip", "netns", "del", b], program: true)
            try? FileManager.default.removeItem(at: folder)
        }
        try ip("netns", "add", a)
        try ip("netns", "add", b)
        try ip("link", "add", va, "type", "veth", "peer", "name", vb)
        try ip("link", "set", va, "netns", a)
        try ip("link", "set", vb, "netns", b)
        try ip("-n", a, "addr", "add", "10.251.0.1/24", "dev", va)
        try ip("-n", b, "addr", "add", "10.251.0.2/24", "dev", vb)
        for (namespace, device) in [(a, va), (b, vb)] {
            try ip("-n", namespace, "link", "set", "lo", "up")
            try ip("-n", namespace, "link", "set", device, "up")
        }

        // Off loopback: each director signs with a key of its own, named in its region file.
        let istanbulKey = try Keys.make(folder.appendingPathComponent("istanbul.key").path)
        let ankaraKey = try Keys.make(folder.appendingPathComponent("ankara.key").path)
        let files = [
            "global.yaml": """
                zone: example.test
                probe: {port: 18080, interval: 200ms, timeout: 100ms}
                services:
                  api: {ttl: 5s}
                networks:
                  istanbul-metro: {cidr: 10.34.0.0/16, location: istanbul}
                  ankara-metro: {cidr: 10.6.0.0/16, location: ankara}
                """,
            "istanbul.yaml": """
                location: {lat: 41.0082, lon: 28.9784}
                director: {dns: "10.251.0.1:10053", redirect: "10.251.0.1:10080", api: "10.251.0.1:10090", key: "\(istanbulKey)"}
                gateways:
                  ist-1: {address: 10.251.0.1}
                """,
            "ankara.yaml": """
                location: {lat: 39.9334, lon: 32.8597}
                director: {dns: "10.251.0.2:10053", redirect: "10.251.0.2:10080", api: "10.251.0.2:10090", key: "\(ankaraKey)"}
                gateways:
                  ank-1: {address: 10.251.0.2}
                """,
        ]
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let binary = CommandRunner.binary.path
        for (namespace, region, address, gateway) in [(a, "istanbul", "10.251.0.1", "ist-1"), (b, "ankara", "10.251.0.2", "ank-1")] {
            processes.append(try CommandRunner.start(["/usr/sbin/ip", "netns", "exec", namespace, binary, "gateway", "--name", gateway,
                                                      "--listen", "\(address):18080", "--log-level", "error"], program: true))
            processes.append(try CommandRunner.start(["/usr/sbin/ip", "netns", "exec", namespace, binary, "serve", "--region", region,
                                                      "--regions", folder.path, "--state", folder.path + "/state-\(region)",
                                                      "--key-file", folder.appendingPathComponent("\(region).key").path,
                                                      "--log-level", "error"], program: true))
        }
        func both(_ condition: (StatusDocument) -> Bool) -> Bool {
            guard let first = status(namespace: a, address: "10.251.0.1"), let second = status(namespace: b, address: "10.251.0.2") else {
                return false
            }
            return condition(first) && condition(second)
        }
        func everyRegionAvailable(_ status: StatusDocument) -> Bool { status.regions.allSatisfy { $0.availability == "available" } }

        // Joined: both hear each other, nobody is isolated, both regions are up.
        #expect(await eventually(within: .seconds(20)) { both { !$0.director.isolated && $0.peers.first?.state == "fresh" && everyRegionAvailable($0) } })

        // Cut the link: each side loses its peer and the other region's gateway, says it is isolated,
        // and does not take the other region for dead on its own view alone.
        try ip("-n", a, "link", "set", va, "down")
        #expect(await eventually(within: .seconds(10)) { both { $0.director.isolated && everyRegionAvailable($0) } })
        let cut = status(namespace: a, address: "10.251.0.1")
        #expect(cut?.regions.first { $0.name == "ankara" }?.gateways.first?.verdict == "down", "Istanbul's own probes of Ankara fail")
        // The answers follow within the snapshot refresh (a second at most).
        var answer = ""
        #expect(await eventually(within: .seconds(5)) {
            answer = (try? CommandRunner.run(["/usr/sbin/ip", "netns", "exec", a, "/usr/bin/dig", "+short", "+time=1", "+tries=1", "-p",
                                              "10053", "@10.251.0.1", "api.example.test", "+subnet=10.6.0.0/16"], program: true))?.output ?? ""
            return answer.contains("10.251.0.2")
        }, "Istanbul's director still sends Ankara's clients to Ankara: \(answer)")

        // Mend it: they find each other again.
        try ip("-n", a, "link", "set", va, "up")
        #expect(await eventually(within: .seconds(20)) { both { !$0.director.isolated && $0.peers.first?.state == "fresh" } })
    }
}
