import Foundation

/// Idle TCP connections to loopback ports, held by a child process (Python, as the DNS conformance
/// tests use): opened without waiting for them to be accepted, as a flood does (in batches of 250,
/// 20 ms apart, so that the tests running beside this one are not starved), and all closed when the
/// child ends. A child, not this process: Foundation's `Process.run` walks every open descriptor
/// of the process that spawns, and the other tests running beside a flood spawn processes.
final class IdleConnections {
    private let child = Process()
    private let input = Pipe()
    /// How many connections the child holds (nil when it could not start them all).
    let opened: Int?

    static let script = """
        import errno, resource, socket, sys, time
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        held = []
        for port in map(int, sys.argv[2:]):
            for index in range(int(sys.argv[1])):
                s = socket.socket()
                s.setblocking(False)
                if s.connect_ex(("127.0.0.1", port)) not in (0, errno.EINPROGRESS):
                    sys.exit(1)
                held.append(s)
                if index % 250 == 249:
                    time.sleep(0.02)
        print(len(held), flush=True)
        sys.stdin.read()
        """

    /// Starts `count` connections to each of `ports` on 127.0.0.1; returns once all are started.
    init(_ count: Int, to ports: [Int]) throws {
        let output = Pipe()
        // At the lowest priority, like the flooded director: the tests beside this one keep the CPU.
        child.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
        child.arguments = ["-n", "19", "/usr/bin/python3", "-c", Self.script, "\(count)"] + ports.map(String.init)
        child.standardInput = input
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()
        // The child's one line, written once every connection is started (or nothing: it failed).
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        opened = Int(String(decoding: line.prefix { $0 != 0x0A }, as: UTF8.self))
    }

    /// Closes every connection (the child exits).
    func closeAll() {
        guard child.isRunning else { return }
        try? input.fileHandleForWriting.close()
        child.waitUntilExit()
    }

    deinit { closeAll() }
}

/// One HTTP/1.1 connection kept open to a loopback port: an operator's connection made before a
/// flood fills the listener, asked again and again.
final class KeptHTTPConnection {
    private let fd: Int32

    init?(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = LoopbackAddress.make(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
    }

    deinit { close(fd) }

    /// GETs `path`: the status code and the body, or nil when the answer does not come.
    func get(_ path: String) -> (status: Int, body: String)? {
        let request = Array("GET \(path) HTTP/1.1\r\nHost: director\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
                let lines = head.split(separator: "\r\n")
                guard let status = lines.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
                let length = lines.compactMap { line -> Int? in
                    let parts = line.split(separator: ":", maxSplits: 1)
                    guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                    return Int(parts[1].trimmingCharacters(in: .whitespaces))
                }.first ?? 0
                if received.count - end.upperBound >= length {
                    return (status, String(decoding: received[end.upperBound..<(end.upperBound + length)], as: UTF8.self))
                }
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            received += buffer[0..<count]
        }
    }
}

enum LoopbackAddress {
    static func make(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

/// The CPU time a process has used so far (user + system), from /proc/PID/stat.
func cpuSeconds(of pid: Int32) -> Double? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let end = stat.lastIndex(of: ")") else { return nil }
    // The fields after the command's closing parenthesis start with the state (field 3): utime and
    // stime are fields 14 and 15.
    let fields = stat[stat.index(after: end)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}
