import Foundation
import MeridianCore
import MeridianDNS
import MeridianTesting
import Testing
@testable import MeridianServer

/// Signed answers follow the steering as unsigned ones do, and a signed answer too large for the
/// client's UDP size is truncated and complete over TCP.
@Suite(.serialized)
struct SignedSteeringTests {
    func start(_ world: LiveWorld) async throws -> (RunningDirector, URL) {
        var world = world
        world.configuration.dnssec = DNSSECSettings()
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        try ZoneKeyFolder(path: keys.path).write(ZoneKey.generate(.ecdsaP256SHA256, now: .now - .seconds(60)), zone: DNSName("example.test")!)
        let running = try await RunningDirector.start(world, configuration: world.configuration, dnssecKeys: keys.path)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        return (running, keys)
    }

    func addresses(_ answer: String) -> [String] {
        answer.split(separator: "\n").filter { $0.contains("\tIN\tA\t") }.compactMap { $0.split(separator: "\t").last.map(String.init) }.sorted()
    }

    @Test func signedAnswersMoveWhenASiteFails() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let (running, keys) = try await start(world)
        func ask() throws -> String {
            try DigRunner.dig(port: running.dnsPort, ["+dnssec", "+noall", "+answer", "+subnet=10.34.0.0/16", "api.example.test"])
        }
        let before = try ask()
        #expect(addresses(before) == ["127.0.1.1"] && before.contains("RRSIG\tA 13 3 10"), "\(before)")
        try await world.gateways["ist-1"]!.setMode(.down)
        #expect(await eventually { (try? addresses(ask())) == ["127.0.2.1"] })
        #expect(try ask().contains("RRSIG\tA 13 3 10"))
        await running.stop()
        await world.stop()
        try? FileManager.default.removeItem(at: keys)
    }

    @Test func aSignedAnswerTooLargeForUDPIsTruncatedAndCompleteOverTCP() async throws {
        // 61 gateways probe one stand-in: a stall of it under a loaded machine takes them all down and
        // back, and a ramped failback would then steer the client to Ankara for a while.
        let world = try await LiveWorld.start(perRegion: 1, interval: .milliseconds(500), timeout: .milliseconds(400),
                                              sharingGateways: 60, maxAnswers: 64, failback: .immediate)
        let (running, keys) = try await start(world)
        #expect(await eventually { (try? addresses(DigRunner.dig(port: running.dnsPort, ["+tcp", "+noall", "+answer", "api.example.test"])))?.count == 61 })
        // 61 addresses fit 1,100 bytes unsigned; with their RRSIG they do not.
        let plain = try DigRunner.dig(port: running.dnsPort, ["+bufsize=1100", "+ignore", "api.example.test"])
        #expect(!plain.contains(" tc ") && addresses(plain).count == 61, "\(plain)")
        let signed = try DigRunner.dig(port: running.dnsPort, ["+dnssec", "+bufsize=1100", "+ignore", "api.example.test"])
        #expect(signed.contains("flags: qr aa tc rd;") && signed.contains("ANSWER: 0"), "\(signed)")
        let overTCP = try DigRunner.dig(port: running.dnsPort, ["+dnssec", "+tcp", "api.example.test"])
        #expect(addresses(overTCP).count == 61 && overTCP.contains("RRSIG\tA"), "\(overTCP)")
        await running.stop()
        await world.stop()
        try? FileManager.default.removeItem(at: keys)
    }
}
