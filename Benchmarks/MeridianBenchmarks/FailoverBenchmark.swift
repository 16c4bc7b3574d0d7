#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import MeridianCore
import MeridianDNS
import MeridianServer
import MeridianTesting
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// Time from Istanbul's gateways going `down` (or `hang`) until every director's DNS answer and
/// redirect for an Istanbul client have moved to Ankara, and back after recovery: two peering
/// directors with their real DNS (UDP) and redirect listeners, four stand-in gateways, the built-in
/// probe settings, each answer plane polled every 10 ms. Also counts answers that pointed at
/// Istanbul one poll (10 ms) or more after every director had judged it unavailable (and, apart,
/// those asked in the very poll in which the judgement was first seen: a decision already made in
/// memory whose answers were being installed), and measures how long answers took to move after the
/// last director's own probes had seen all of its gateways down (the exchange).
enum FailoverBenchmark {
    struct Plane {
        var name: String
        var ask: () throws -> String?
    }

    static func run(repetitions: Int) async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        var standIns: [GatewayName: StandInGateway] = [:]
        var regions: [Region] = []
        let places = [("istanbul", GeoPoint(latitude: 41.0082, longitude: 28.9784)!), ("ankara", GeoPoint(latitude: 39.9334, longitude: 32.8597)!)]
        for (index, (name, point)) in places.enumerated() {
            var gateways: [Gateway] = []
            for number in 1...2 {
                let gatewayName = GatewayName("\(name.prefix(3))-\(number)")!
                let standIn = try await StandInGateway.start(name: gatewayName.rawValue, listen: try .init(ipAddress: "127.0.0.1", port: 0))
                standIns[gatewayName] = standIn
                gateways.append(Gateway(name: gatewayName, region: RegionName(name)!, address: IPAddress("127.0.\(index + 1).\(number)")!,
                                        probe: ProbeSettings(targetHost: "127.0.0.1", targetPort: UInt16(standIn.address.port!))))
            }
            regions.append(Region(name: RegionName(name)!, location: point, director: DirectorEndpoints(
                dns: SocketAddress(ip: IPAddress("127.0.0.1")!, port: try freePort(udp: true)),
                redirect: SocketAddress(ip: IPAddress("127.0.0.1")!, port: try freePort(udp: false)),
                api: SocketAddress(ip: IPAddress("127.0.0.1")!, port: try freePort(udp: false))), gateways: gateways))
        }
        let names = regions.map(\.name)
        let service = Service(name: "api", fqdn: DomainName("api.example.test")!, ttl: 10, regions: names,
                              weights: Dictionary(uniqueKeysWithValues: names.map { ($0, 1.0) }),
                              redirect: RedirectSettings(hosts: [DomainName("go.example.test")!],
                                                         urls: ["istanbul": BaseURL("https://ist.example.test")!,
                                                                "ankara": BaseURL("https://ank.example.test")!]))
        let configuration = Configuration(
            zone: DomainName("example.test")!, regions: regions, services: [service],
            networks: [ClientNetwork(name: "istanbul-metro", prefixes: [try IPPrefix.parse("10.34.0.0/16").get()],
                                     location: NamedLocation(region: "istanbul", point: places[0].1))],
            trustedProxies: [try IPPrefix.parse("127.0.0.1/32").get()])
        var services: [any ServiceLifecycle.Service] = []
        var directors: [Director] = []
        let budget = ConnectionBudget(descriptors: DescriptorLimit.raise(), configuration: configuration,
                                      directors: regions.count)
        for region in regions {
            let director = try Director(configuration: configuration, region: region.name.rawValue, source: nil, logger: logger,
                                        credentials: .insecureLoopback(for: region.name))
            directors.append(director)
            services += [director.scheduler, PeerExchange(director: director),
                         DNSServer(answering: director.answering, address: region.director.dns, logger: logger,
                                   tcp: .init(maxConnections: budget.dnsTCP)),
                         RedirectServer(answering: director.redirects, address: region.director.redirect, logger: logger,
                                        maxConnections: budget.redirect),
                         DirectorAPI.application(for: director, address: region.director.api, maxConnections: budget.api)]
        }
        services.append(SnapshotRefresher(directors: directors))
        let group = ServiceGroup(services: services, logger: logger)
        let task = Task { try await group.run() }
        let probe = regions[0].gateways[0].probe
        print("two peering directors, probe interval \(probe.interval.shortDescription), timeout \(probe.timeout.shortDescription), "
              + "rise \(probe.rise), fall \(probe.fall) (built-in defaults); answers polled every 10 ms")

        let planes = regions.flatMap { region in
            [Plane(name: "\(region.name) dns", ask: { try dnsAnswerRegion(port: Int(region.director.dns.port)) }),
             Plane(name: "\(region.name) redirect", ask: { try redirectRegion(port: Int(region.director.redirect.port)) })]
        }
        let istanbulGateways: [GatewayName] = ["ist-1", "ist-2"]
        func everyObserverSeesIstanbulDown() -> Bool {
            directors.allSatisfy { director in istanbulGateways.allSatisfy { director.board.health[$0]?.verdict == .down } }
        }
        func everyDirectorJudgesIstanbulUnavailable() -> Bool {
            directors.allSatisfy { $0.assessment().site("istanbul")?.availability == .unavailable }
        }
        var random = SplitMix(state: 11)
        for mode in [StandInMode.down, .hang] {
            var away: [Double] = [], back: [Double] = [], exchange: [Double] = []
            var wrong = 0, racing = 0
            for _ in 0..<repetitions {
                _ = try await waitUntil(planes, answer: "istanbul")
                try await Task.sleep(for: .milliseconds(Int64(random.next() % 1000)))
                let failedAt = ContinuousClock.now
                for name in istanbulGateways { try await standIns[name]!.setMode(mode) }
                let result = try await waitUntil(planes, answer: "ankara", forbidIstanbulWhen: everyDirectorJudgesIstanbulUnavailable,
                                                 markWhen: everyObserverSeesIstanbulDown)
                away.append((result.at - failedAt).seconds)
                if let marked = result.marked { exchange.append(max(0, (result.at - marked).seconds)) }
                wrong += result.violations
                racing += result.racing
                try await Task.sleep(for: .milliseconds(Int64(1000 + random.next() % 1000)))
                let healedAt = ContinuousClock.now
                for name in istanbulGateways { try await standIns[name]!.setMode(.healthy) }
                back.append((try await waitUntil(planes, answer: "istanbul").at - healedAt).seconds)
            }
            print(String(format: "%@: every director's DNS and redirects moved: median %.3fs, max %.3fs; moved back: median %.3fs, "
                         + "max %.3fs; after the last director's own probes saw it down: median %.3fs, max %.3fs; answers pointing at "
                         + "Istanbul 10 ms or more after every director judged it unavailable: %d (in the poll that first saw the "
                         + "judgement: %d) (%d repetitions)",
                         "\(mode)", median(away), away.max() ?? 0, median(back), back.max() ?? 0, median(exchange),
                         exchange.max() ?? 0, wrong, racing, repetitions))
        }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        for standIn in standIns.values { await standIn.stop() }
    }

    /// Polls every plane every 10 ms until all answer `region`; returns when, how many answers
    /// pointed at Istanbul while `forbidIstanbulWhen` had held since an earlier poll (`violations`)
    /// or only since this one (`racing`), and when `markWhen` first held.
    private static func waitUntil(_ planes: [Plane], answer region: String, forbidIstanbulWhen: () -> Bool = { false },
                                  markWhen: () -> Bool = { false })
        async throws -> (at: ContinuousClock.Instant, violations: Int, racing: Int, marked: ContinuousClock.Instant?) {
        let deadline = ContinuousClock.now + .seconds(30)
        var violations = 0, racing = 0
        var marked: ContinuousClock.Instant?
        var forbiddenBefore = false
        while ContinuousClock.now < deadline {
            if marked == nil, markWhen() { marked = ContinuousClock.now }
            let forbidden = forbidIstanbulWhen()
            let answers = try planes.map { try $0.ask() }
            let wrong = forbidden ? answers.filter { $0 == "istanbul" }.count : 0
            if forbiddenBefore { violations += wrong } else { racing += wrong }
            forbiddenBefore = forbidden
            if answers.allSatisfy({ $0 == region }) { return (ContinuousClock.now, violations, racing, marked) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CancellationError()
    }

    /// The region a DNS answer for an Istanbul client (ECS 10.34.0.0/16) points at.
    private static func dnsAnswerRegion(port: Int) throws -> String? {
        var query = DNSMessage(header: DNSHeader(id: UInt16.random(in: 0...UInt16.max), recursionDesired: false),
                               questions: [Question(name: DNSName("api.example.test")!, type: .a)])
        query.edns = EDNS(clientSubnet: ClientSubnet(address: IPAddress("10.34.0.0")!, sourcePrefixLength: 16))
        guard let reply = try udpExchange(Array(query.encoded().readableBytesView), port: port),
              let message = try? DNSMessage(decoding: ByteBuffer(bytes: reply)) else { return nil }
        let addresses = message.answers.compactMap { record -> IPAddress? in
            if case .a(let address) = record.data { return address }
            return nil
        }
        guard let first = addresses.first, case .v4(let bits) = first else { return nil }
        return (bits >> 8) & 0xFF == 1 ? "istanbul" : "ankara"
    }

    /// The region the redirector sends an Istanbul client (forwarded by a trusted proxy) to.
    private static func redirectRegion(port: Int) throws -> String? {
        let request = "GET /x HTTP/1.1\r\nHost: go.example.test\r\nX-Forwarded-For: 10.34.1.1\r\nConnection: close\r\n\r\n"
        guard let response = try tcpExchange(Array(request.utf8), port: port) else { return nil }
        if response.contains("Location: https://ist.example.test/") { return "istanbul" }
        if response.contains("Location: https://ank.example.test/") { return "ankara" }
        return nil
    }

    private static func udpExchange(_ query: [UInt8], port: Int) throws -> [UInt8]? {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, query, query.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard sent == query.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1500)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer[..<count]) : nil
    }

    private static func tcpExchange(_ request: [UInt8], port: Int) throws -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0, send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// A port that was free a moment ago (TCP and, when asked, UDP too).
    private static func freePort(udp: Bool) throws -> UInt16 {
        while true {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = loopback(0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            close(fd)
            let port = UInt16(bigEndian: address.sin_port)
            guard udp else { return port }
            let probe = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var udpAddress = loopback(Int(port))
            let bound = withUnsafePointer(to: &udpAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(probe)
            if bound == 0 { return port }
        }
    }
}
