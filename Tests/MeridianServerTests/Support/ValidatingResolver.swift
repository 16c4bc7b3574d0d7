import Foundation
import MeridianTesting
#if canImport(Glibc)
import Glibc
#endif

/// Debian's unbound as a validating resolver on 127.0.0.1: a stub zone to a director's DNS port and
/// the zone's DS as its trust anchor, client subnets passed through (its subnetcache module).
/// Stopped by `stop()`; its folder is removed then.
final class ValidatingResolver {
    let port: Int
    private let process: Process
    private let folder: URL

    static let program = "/usr/sbin/unbound"

    /// Starts unbound for `zone` at `directorPort`, trusting `ds` (a DS record's text, `zone. IN DS …`).
    static func start(zone: String, directorPort: Int, ds: [String]) async throws -> ValidatingResolver {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-unbound-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let port = try freePort()
        let anchors = ds.map { "  trust-anchor: \"\($0)\"" }.joined(separator: "\n")
        let configuration = """
            server:
              interface: 127.0.0.1
              port: \(port)
              do-daemonize: no
              use-syslog: no
              logfile: "\(folder.path)/unbound.log"
              chroot: ""
              username: ""
              directory: "\(folder.path)"
              pidfile: ""
              do-not-query-localhost: no
              local-zone: "test." nodefault
              access-control: 127.0.0.0/8 allow
              module-config: "subnetcache validator iterator"
              client-subnet-zone: "\(zone)"
              client-subnet-always-forward: yes
              max-client-subnet-ipv4: 16
              qname-minimisation: no
              val-log-level: 2
              verbosity: 1
            \(anchors)
            remote-control:
              control-enable: no
            stub-zone:
              name: "\(zone)"
              stub-addr: 127.0.0.1@\(directorPort)
            """
        let file = folder.appendingPathComponent("unbound.conf")
        try configuration.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-d", "-c", file.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let resolver = ValidatingResolver(port: port, process: process, folder: folder)
        // Ready once it answers anything over UDP.
        let ready = await eventually(within: .seconds(10)) {
            (try? DigRunner.dig(port: port, ["version.server", "CH", "TXT"]))?.contains("status:") ?? false
        }
        guard ready else {
            resolver.stop()
            throw CancellationError()
        }
        return resolver
    }

    private init(port: Int, process: Process, folder: URL) {
        self.port = port
        self.process = process
        self.folder = folder
    }

    /// What unbound logged, for a failure's message.
    var log: String {
        (try? String(contentsOf: folder.appendingPathComponent("unbound.log"), encoding: .utf8)) ?? ""
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// A port free for both UDP and TCP on 127.0.0.1 now (the system's choice for a UDP socket).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// dig and delv from bind9-dnsutils, asked on 127.0.0.1.
enum DigRunner {
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: program) else {
            return "\(program) is not installed (apt-get install bind9-dnsutils unbound dnsviz; .ci/run does)"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func dig(port: Int, _ arguments: [String]) throws -> String {
        try run("/usr/bin/dig", ["@127.0.0.1", "-p", "\(port)", "+time=2", "+tries=1"] + arguments)
    }
}
