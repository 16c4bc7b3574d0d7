import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeridianServer
import MeridianTesting
import Testing

/// `meridian serve` as an operator runs it: a real process, real signals, real HTTP.
@Suite(.serialized)
struct ServeCommandTests {
    private func regionsFolder() throws -> (folder: URL, apiPort: Int) {
        let copy = try RegionsCopy.make()
        return (copy.folder, copy.ports["10090"]!)
    }

    private func get(_ port: Int, _ path: String) async -> (Int, Data)? {
        guard let (data, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!) else {
            return nil
        }
        return ((response as! HTTPURLResponse).statusCode, data)
    }

    private func status(_ port: Int) async -> StatusDocument? {
        guard let (_, data) = await get(port, "/v1/status") else { return nil }
        return try? JSONDecoder().decode(StatusDocument.self, from: data)
    }

    @Test func serveAnswersReloadsOnHangupAndStopsOnTerm() async throws {
        let (folder, port) = try regionsFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = try CommandRunner.start(["serve", "--region", "istanbul", "--director", "ist-a", "--regions", folder.path, "--state", folder.path + "/state", "--log-level", "warning"])
        defer { if process.isRunning { process.terminate() } }

        #expect(await eventually { await get(port, "/healthz")?.0 == 200 })
        let first = try #require(await status(port))
        #expect(first.director.region == "istanbul" && first.director.configuration.source == folder.path)

        // An invalid file is refused on SIGHUP; the director keeps running on the old configuration.
        let global = folder.appendingPathComponent("global.yaml")
        let original = try String(contentsOf: global, encoding: .utf8)
        try "zone: [".write(to: global, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(await eventually { await status(port)?.director.configuration.lastReloadError != nil })
        #expect(process.isRunning)
        #expect(await status(port)?.director.configuration.fingerprint == first.director.configuration.fingerprint)

        // A valid change is adopted.
        try (original + "\n# changed\n").write(to: global, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(await eventually {
            let fingerprint = await status(port)?.director.configuration.fingerprint
            return fingerprint != nil && fingerprint != first.director.configuration.fingerprint
        })

        kill(process.processIdentifier, SIGTERM)
        #expect(await eventually { !process.isRunning })
        #expect(process.terminationStatus == 0)
    }

    @Test func aPortInUseIsAClearErrorAndExitOne() async throws {
        let (folder, port) = try regionsFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let blocker = try FreePort.listen(on: port)
        defer { close(blocker) }
        let result = try CommandRunner.run(["serve", "--region", "istanbul", "--director", "ist-a", "--regions", folder.path, "--state", folder.path + "/state", "--log-level", "critical"])
        #expect(result.status == 1)
        #expect(result.errors.contains("already in use"), "\(result.errors)")
    }

    @Test func anUnknownRegionIsAClearErrorAndExitOne() throws {
        let result = try CommandRunner.run(["serve", "--region", "bursa"])
        #expect(result.status == 1)
        #expect(result.errors.contains("unknown region 'bursa' (regions: ankara, istanbul, izmir)"))
    }
}

/// Free TCP ports on 127.0.0.1, found by binding port 0.
enum FreePort {
    struct Failure: Error {}

    /// A port that was free a moment ago.
    static func take() throws -> Int {
        try take(count: 1)[0]
    }

    /// `count` different ports that were free a moment ago (each held until all are taken, so the
    /// system cannot hand out one of them twice).
    static func take(count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for socket in sockets { close(socket) } }
        for _ in 0..<count { sockets.append(try listen(on: 0)) }
        return sockets.map(port(of:))
    }

    private static func port(of socket: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A listening socket on 127.0.0.1:`port`; close it with `close`.
    static func listen(on port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(socket, 16) == 0 else {
            close(socket)
            throw Failure()
        }
        return socket
    }
}

