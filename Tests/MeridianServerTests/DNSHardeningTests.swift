#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MeridianCore
import MeridianDNS
import MeridianTesting
import NIOCore
import Testing
@testable import MeridianServer

/// A director's DNS listeners against queries built to hurt them, over real sockets on loopback:
/// each must leave the director answering the next ordinary query.
@Suite(.serialized)
struct DNSHardeningTests {
    /// `count` copies of one long question: the encoder compresses every copy after the first to a
    /// pointer, so the query stays small while an answer that echoed the questions would not.
    static func repeatedQuestions(_ count: Int) -> [UInt8] {
        let name = DNSName(String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 63) + ".api.example.test")!
        let message = DNSMessage(header: DNSHeader(id: 0x5151), questions: Array(repeating: Question(name: name, type: .a), count: count))
        var buffer = ByteBuffer()
        try! message.write(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Whether the director answers an ordinary query over UDP and TCP with its gateways.
    func answersNormally(_ running: RunningDirector, source: String = "127.0.0.1") throws -> Bool {
        let query = DNSSocketClient.query("api.example.test")
        for reply in [DNSSocketClient.udp(query, port: running.dnsPort, source: source),
                      DNSSocketClient.tcp(query, port: running.dnsPort, source: source)] {
            guard let reply, let message = try? DNSMessage(decoding: ByteBuffer(bytes: reply)),
                  message.responseCode == .noError, !message.answers.isEmpty else { return false }
        }
        return true
    }

    @Test func oversizedAndExpandingQueriesAreAnsweredWithinTheirTransportAndTheDirectorStaysUp() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let running = try await RunningDirector.start(world)
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })

        let largestTCP = Self.repeatedQuestions((65535 - 12 - 160) / 6)
        let largestUDP = Self.repeatedQuestions((65507 - 12 - 160) / 6)
        var junk = [UInt8](repeating: 0, count: 65535)
        for index in junk.indices { junk[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
        junk[2] = 0x01  // a query (QR clear)
        #expect(largestTCP.count <= 65535 && largestTCP.count > 65000)

        for query in [largestTCP, HostileQueries.expandingQuestions(), Self.repeatedQuestions(2), Self.repeatedQuestions(300), junk] {
            if let reply = DNSSocketClient.tcp(query, port: running.dnsPort) {
                let message = try DNSMessage(decoding: ByteBuffer(bytes: reply))
                #expect(message.responseCode == .formatError && message.questions.count <= 1 && reply.count <= 65535)
            }
            #expect(try answersNormally(running))
        }
        for query in [largestUDP, HostileQueries.expandingQuestions(size: 65507), Self.repeatedQuestions(2), Array(junk[0..<65507])] {
            let reply = try #require(DNSSocketClient.udp(query, port: running.dnsPort))
            #expect(reply.count <= DNSResponder.maximumUDPPayload)
            #expect(try DNSMessage(decoding: ByteBuffer(bytes: reply)).responseCode == .formatError)
            #expect(try answersNormally(running))
        }
        await running.stop()
        await world.stop()
    }

    @Test func aClientMayHoldOnlyItsShareOfTheTCPConnections() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let running = try await RunningDirector.start(world, dnsLimits: .init(maxConnectionsPerClient: 3))
        #expect(await eventually { world.configuration.gateways.allSatisfy { running.verdict($0.name) == .up } })
        // Each of three connections is answered (so the director holds it) before the next opens.
        let framed = DNSSocketClient.query("api.example.test")
        func ask(_ socket: Int32) -> [UInt8]? {
            DNSSocketClient.sendAll([0, UInt8(framed.count)] + framed, on: socket) ? DNSSocketClient.readFrame(socket) : nil
        }
        let held = (0..<3).compactMap { _ in DNSSocketClient.connectTCP(port: running.dnsPort) }
        #expect(held.count == 3 && held.allSatisfy { ask($0) != nil })
        // The listener accepts the fourth and closes it at once: the first read sees the end.
        let fourth = try #require(DNSSocketClient.connectTCP(port: running.dnsPort))
        #expect(ask(fourth) == nil)
        close(fourth)
        // Another address is another client; a closed connection frees its place.
        #expect(try answersNormally(running, source: "127.0.0.2"))
        close(held[0])
        #expect(await eventually { DNSSocketClient.tcp(framed, port: running.dnsPort) != nil })
        held.dropFirst().forEach { close($0) }
        await running.stop()
        await world.stop()
    }

    @Test func explainOverUDPIsToldToAskOverTCP() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let running = try await RunningDirector.start(world)
        let explain = DNSSocketClient.query("_explain.api.example.test", .txt)
        let overUDP = try DNSMessage(decoding: ByteBuffer(bytes: try #require(DNSSocketClient.udp(explain, port: running.dnsPort))))
        #expect(overUDP.header.truncated && overUDP.answers.isEmpty)
        let overTCP = try DNSMessage(decoding: ByteBuffer(bytes: try #require(DNSSocketClient.tcp(explain, port: running.dnsPort))))
        #expect(!overTCP.header.truncated && overTCP.answers.count == 1)
        await running.stop()
        await world.stop()
    }

    @Test func pastTheRateAClientNetworkGetsTruncatedAnswersOrNoneAndTCPIsNotLimited() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        var configuration = world.configuration
        configuration.rateLimit = ResponseRateLimit(responsesPerSecond: 10, slip: 2,
                                                    exempt: [try IPPrefix.parse("127.0.9.0/24").get()])
        let running = try await RunningDirector.start(world, configuration: configuration)
        let query = DNSSocketClient.query("api.example.test")

        // 100 queries from one socket within a moment: at most the rate (twice, should the burst
        // cross a second) answered in full, about half of the rest truncated, the others dropped.
        let socket = DNSSocketClient.open(Int32(SOCK_DGRAM.rawValue), source: "127.0.0.1", timeout: .milliseconds(300))
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(running.dnsPort).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        for _ in 0..<100 {
            _ = query.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
        var full = 0, truncated = 0
        while let reply = DNSSocketClient.receive(socket, limit: 4096) {
            let message = try DNSMessage(decoding: ByteBuffer(bytes: reply))
            if message.header.truncated { truncated += 1 } else { full += 1 }
        }
        #expect(full >= 10 && full <= 22, "\(full) full answers")
        #expect(truncated >= 30 && full + truncated < 100, "\(truncated) truncated of \(full + truncated) answers")

        // TCP and exempt networks are answered all the same.
        #expect(DNSSocketClient.tcp(query, port: running.dnsPort) != nil)
        #expect(DNSSocketClient.udp(query, port: running.dnsPort, source: "127.0.9.1") != nil)
        let metrics = try PrometheusText.parse(String(decoding: try await running.get("/metrics").body, as: UTF8.self))
        let limited = Dictionary(metrics.filter { $0.name == "meridian_dns_rate_limited_total" }.map { ($0.labels["action"] ?? "", $0.value) },
                                 uniquingKeysWith: +)
        #expect(limited["slipped"] == Double(truncated) && (limited["dropped"] ?? 0) > 0)
        await running.stop()
        await world.stop()
    }
}
