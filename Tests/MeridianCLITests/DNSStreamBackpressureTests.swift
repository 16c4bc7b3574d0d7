#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MeridianDNS
import MeridianTesting
import NIOCore
import Testing

/// `meridian serve` against a DNS-over-TCP client that pipelines queries and never reads: the
/// director stops reading from it instead of queueing answers, keeps answering everyone else, and
/// closes the connection once its answers have waited too long.
@Suite(.serialized)
struct DNSStreamBackpressureTests {
    /// The resident memory of process `pid`, in bytes.
    static func residentMemory(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return nil }
        return kilobytes * 1024
    }

    @Test func aClientThatPipelinesAndNeverReadsCannotGrowTheDirectorsMemory() async throws {
        let (folder, ports) = try RegionsCopy.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = ports["10053"]!
        let process = try CommandRunner.start(["serve", "--region", "istanbul", "--director", "ist-a", "--regions", folder.path,
                                               "--state", folder.path + "/state", "--log-level", "error"])
        defer { if process.isRunning { process.terminate() } }
        let query = DNSSocketClient.query("api.example.test")
        func answered() -> Bool {
            guard let reply = DNSSocketClient.tcp(query, port: port), let udp = DNSSocketClient.udp(query, port: port) else { return false }
            return [reply, udp].allSatisfy { (try? DNSMessage(decoding: ByteBuffer(bytes: $0)))?.responseCode == .noError }
        }
        #expect(await eventually(within: .seconds(20)) { answered() })
        let before = try #require(Self.residentMemory(process.processIdentifier))

        // Up to 100 MB of pipelined queries, a megabyte at a time, never reading an answer; the
        // sends stop being taken once the director stops reading.
        let socket = try #require(DNSSocketClient.connectTCP(port: port, timeout: .milliseconds(200)))
        defer { close(socket) }
        var chunk: [UInt8] = []
        while chunk.count < 1 << 20 { chunk += [0, UInt8(query.count)] + query }
        var sent = 0
        var blockedSince: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + .seconds(30)
        while sent < 100_000_000, ContinuousClock.now < deadline {
            let count = chunk.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                sent += count
                blockedSince = nil
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                if let since = blockedSince, ContinuousClock.now - since > .seconds(2) { break }
                blockedSince = blockedSince ?? .now
            } else {
                break
            }
        }
        // Everyone else is still answered, and the director holds little for the stalled client.
        #expect(answered())
        let after = try #require(Self.residentMemory(process.processIdentifier))
        #expect(after - before < 64 << 20, "resident memory grew by \((after - before) >> 20) MB after \(sent >> 20) MB sent")

        // The stalled connection is closed: sends fail within the write timeout (10 s) and a margin.
        let closed = await eventually(within: .seconds(20)) {
            let count = chunk.withUnsafeBytes { send(socket, $0.baseAddress, 4096, Int32(MSG_NOSIGNAL)) }
            return count < 0 && errno != EAGAIN && errno != EWOULDBLOCK
        }
        #expect(closed)
        #expect(answered())
        kill(process.processIdentifier, SIGTERM)
        #expect(await eventually { !process.isRunning })
    }
}
