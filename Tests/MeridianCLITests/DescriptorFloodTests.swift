import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeridianDNS
import MeridianServer
import MeridianTesting
import NIOCore
import Testing

/// `meridian serve` with 1,024 file descriptors against 5,000 idle connections on each of its TCP
/// listeners: real processes on loopback (two directors peering, stand-in gateways), the flood held
/// open for a bounded time and closed at the end.
@Suite(.serialized)
struct DescriptorFloodTests {
    static let floodSize = 5_000

    /// Two regions on loopback, the Istanbul director probing two stand-in gateways of its own.
    struct World {
        let folder: URL
        /// Istanbul's director ports.
        let dns: Int, redirect: Int, api: Int
        let ankaraAPI: Int
        var processes: [String: Process] = [:]

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-flood-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let ports = try FreePort.take(count: 7)
            (dns, redirect, api, ankaraAPI) = (ports[0], ports[1], ports[2], ports[5])
            let files = [
                "global.yaml": """
                    zone: example.test
                    probe: {port: \(ports[6]), interval: 1s, timeout: 400ms}
                    services:
                      api: {ttl: 5s}
                    networks:
                      istanbul-metro: {cidr: 10.34.0.0/16, location: istanbul}
                    """,
                "istanbul.yaml": """
                    location: {lat: 41.0082, lon: 28.9784}
                    director: {dns: "127.0.0.1:\(dns)", redirect: "127.0.0.1:\(redirect)", api: "127.0.0.1:\(api)"}
                    gateways:
                      ist-1: {address: 127.0.1.1}
                      ist-2: {address: 127.0.1.2}
                    """,
                "ankara.yaml": """
                    location: {lat: 39.9334, lon: 32.8597}
                    director: {dns: "127.0.0.1:\(ports[3])", redirect: "127.0.0.1:\(ports[4])", api: "127.0.0.1:\(ankaraAPI)"}
                    gateways:
                      ank-1: {address: 127.0.2.1}
                    """,
            ]
            for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
            for (name, address) in [("ist-1", "127.0.1.1"), ("ist-2", "127.0.1.2"), ("ank-1", "127.0.2.1")] {
                processes[name] = try CommandRunner.start(["gateway", "--name", name, "--listen", "\(address):\(ports[6])",
                                                           "--log-level", "error"])
            }
            processes["ankara"] = try CommandRunner.start(serve("ankara"))
        }

        /// The flooded director runs at the lowest priority, so that the burst of 15,000 connections
        /// it takes and closes does not starve the tests running beside this one (its CPU time, which
        /// the test measures, is the same at any priority).
        static let niced = ["/usr/bin/nice", "-n", "19"]

        /// `serve` arguments for `region`'s director.
        func serve(_ region: String) -> [String] {
            ["serve", "--region", region, "--regions", folder.path, "--state", folder.path + "/state-\(region)",
             "--insecure-loopback-keys", "--log-level", "error"]
        }

        func stop() {
            for process in processes.values where process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: folder)
        }
    }

    private func status(_ port: Int) async -> StatusDocument? {
        guard let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/v1/status")!) else {
            return nil
        }
        return try? JSONDecoder().decode(StatusDocument.self, from: data)
    }

    private func verdict(_ gateway: String, in status: StatusDocument?) -> String? {
        status?.regions.flatMap(\.gateways).first { $0.name == gateway }?.verdict
    }

    /// Waits until Istanbul's director sees both of its gateways up and both directors hear each other.
    private func waitUntilJoined(_ world: World) async -> Bool {
        await eventually(within: .seconds(30)) {
            guard let istanbul = await status(world.api), let ankara = await status(world.ankaraAPI) else { return false }
            return verdict("ist-1", in: istanbul) == "up" && verdict("ist-2", in: istanbul) == "up"
                && istanbul.peers.first?.state == "fresh" && ankara.peers.first?.state == "fresh"
        }
    }

    /// Opens the flood against Istanbul's three TCP listeners (the child holding it raises its own
    /// descriptor limit to the hard one for its 15,000 connections).
    private func flood(_ world: World) throws -> IdleConnections {
        let connections = try IdleConnections(Self.floodSize, to: [world.redirect, world.api, world.dns])
        try #require(connections.opened == 3 * Self.floodSize, "the flood could not open its connections")
        return connections
    }

    /// Whether process `pid` comes to use under 0.5 s of CPU in a 5-second window, within 45 s, and
    /// the CPU of its last window. Connections the kernel retries after a full backlog keep arriving,
    /// to be taken and closed, for some seconds after a flood opens; a spinning process never settles.
    private func settlesIdle(_ pid: Int32) async -> (idle: Bool, cpu: Double) {
        var cpu = Double.infinity
        let idle = await eventually(within: .seconds(45)) {
            guard let before = cpuSeconds(of: pid) else { return false }
            try? await Task.sleep(for: .seconds(5))
            cpu = (cpuSeconds(of: pid) ?? .infinity) - before
            return cpu < 0.5
        }
        return (idle, cpu)
    }

    private func counter(_ name: String, in metrics: String?) -> Double? {
        metrics?.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test func aDirectorWithAThousandDescriptorsStillProbesAnswersAndPushesUnderAFloodWithoutSpinning() async throws {
        var world = try World()
        defer { world.stop() }
        // The director starts with 1,024 descriptors, soft and hard: its caps are derived from them.
        let istanbul = try CommandRunner.start(World.niced + ["/usr/bin/prlimit", "--nofile=1024:1024", CommandRunner.binary.path]
                                               + world.serve("istanbul"), program: true)
        world.processes["istanbul"] = istanbul
        #expect(await waitUntilJoined(world))
        let kept = try #require(KeptHTTPConnection(port: world.api))
        #expect(kept.get("/livez")?.status == 200)

        let connections = try flood(world)
        defer { connections.closeAll() }
        world.processes["ist-2"]!.terminate()
        world.processes["ist-2"]!.waitUntilExit()
        let heardBefore = await status(world.ankaraAPI)?.peers.first?.lastHeard

        // Still probes: the killed gateway is judged down (asked on a connection kept from before the flood, as
        // the flood holds every other one the API takes).
        #expect(await eventually(within: .seconds(15)) { verdict("ist-2", in: kept.get("/v1/status").flatMap {
            try? JSONDecoder().decode(StatusDocument.self, from: Data($0.body.utf8))
        }) == "down" })
        // Still pushes to its peer, and still answers DNS over UDP.
        #expect(await eventually {
            let ankara = await status(world.ankaraAPI)?.peers.first
            return ankara?.state == "fresh" && ankara?.lastHeard != heardBefore
        })
        #expect(answerCount(port: world.dns) > 0)
        // Connections beyond the redirect listener's share were closed at once: its cap came from 1,024.
        let metrics = kept.get("/metrics")?.body
        #expect((counter("meridian_redirect_connections_refused_total{reason=\"full\"}", in: metrics) ?? 0) > 0, "\(metrics ?? "")")

        let (idle, cpu) = await settlesIdle(istanbul.processIdentifier)
        #expect(idle, "the director used \(cpu) s of CPU in the last of its 5-second windows")
        connections.closeAll()
        #expect(await eventually { await status(world.api) != nil })
        #expect(istanbul.isRunning, "it ended (\(istanbul.isRunning ? "" : "\(istanbul.terminationReason == .uncaughtSignal ? "signal" : "status") \(istanbul.terminationStatus)")): \(CommandRunner.errors(of: istanbul))")
    }

    @Test func aDirectorThatRunsOutOfDescriptorsPausesAcceptingInsteadOfSpinning() async throws {
        var world = try World()
        defer { world.stop() }
        // Started with the machine's limit (caps derived from it), then lowered to 1,024 under it, so
        // the flood takes every descriptor and every listener's accept fails with EMFILE.
        let istanbul = try CommandRunner.start(World.niced + [CommandRunner.binary.path] + world.serve("istanbul"), program: true)
        world.processes["istanbul"] = istanbul
        #expect(await waitUntilJoined(world))
        let kept = try #require(KeptHTTPConnection(port: world.api))
        let lowered = try CommandRunner.run(["/usr/bin/prlimit", "--pid", "\(istanbul.processIdentifier)", "--nofile=1024:1024"],
                                            program: true)
        try #require(lowered.status == 0, "\(lowered.errors)")

        let connections = try flood(world)
        defer { connections.closeAll() }
        #expect(await eventually {
            (counter("meridian_redirect_connections_refused_total{reason=\"paused\"}", in: kept.get("/metrics")?.body) ?? 0) > 0
        })
        #expect(answerCount(port: world.dns) > 0)
        let (idle, cpu) = await settlesIdle(istanbul.processIdentifier)
        #expect(idle, "the director used \(cpu) s of CPU in the last of its 5-second windows out of descriptors")

        // Once the flood is gone, every listener takes connections again.
        connections.closeAll()
        #expect(await eventually { await status(world.api) != nil })
        var redirect: KeptHTTPConnection?
        #expect(await eventually { redirect = KeptHTTPConnection(port: world.redirect); return redirect?.get("/")?.status != nil })
        #expect(istanbul.isRunning, "it ended (\(istanbul.isRunning ? "" : "\(istanbul.terminationReason == .uncaughtSignal ? "signal" : "status") \(istanbul.terminationStatus)")): \(CommandRunner.errors(of: istanbul))")
    }

    /// How many addresses the director at `port` answers over UDP for the steered name (0 for none).
    private func answerCount(port: Int) -> Int {
        guard let reply = DNSSocketClient.udp(DNSSocketClient.query("api.example.test"), port: port),
              let message = try? DNSMessage(decoding: ByteBuffer(bytes: reply)), message.responseCode == .noError else { return 0 }
        return message.answers.count
    }
}
