#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MeridianTesting
import Testing
@testable import MeridianServer

/// The API listener's bounds: connections idle too long are closed, and no more than its share are
/// served at once.
@Suite(.serialized)
struct DirectorAPILimitsTests {
    /// A connection to 127.0.0.1:`port` that has been answered once and is kept open (so it is
    /// certainly one the listener took).
    private func answeredConnection(to port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(fd >= 0 && connected == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /livez HTTP/1.1\r\nHost: director\r\n\r\n".utf8)
        try #require(request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == request.count)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        try #require(count > 0 && String(decoding: buffer[..<count], as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        return fd
    }

    private let livez = "GET /livez HTTP/1.1\r\nHost: director\r\nConnection: close\r\n\r\n"

    @Test func anIdleAPIConnectionIsClosedAfterTheIdleTimeout() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let running = try await RunningDirector.start(world, apiIdleTimeout: .seconds(1))
        // Sends nothing and reads until the director closes: it does a second or so later (the
        // deadline allows for a loaded machine).
        let answer = try RawHTTPClient.exchange([], port: running.apiPort, timeout: .seconds(20))
        #expect(answer.isEmpty)
        #expect(try RawHTTPClient.exchange(livez, port: running.apiPort).hasPrefix("HTTP/1.1 200"))
        await running.stop()
        await world.stop()
    }

    @Test func connectionsBeyondTheAPIShareWaitUntilOneCloses() async throws {
        let world = try await LiveWorld.start(perRegion: 1)
        let running = try await RunningDirector.start(world, apiConnections: 1)
        let held = try answeredConnection(to: running.apiPort)
        #expect(throws: RawHTTPClient.Failure.self, "a second connection is not served while the first is held") {
            try RawHTTPClient.exchange(Array(livez.utf8), port: running.apiPort, timeout: .seconds(1))
        }
        close(held)
        #expect(await eventually { (try? RawHTTPClient.exchange(livez, port: running.apiPort))?.hasPrefix("HTTP/1.1 200") == true })
        await running.stop()
        await world.stop()
    }
}
