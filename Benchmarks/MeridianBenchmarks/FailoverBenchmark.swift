import Foundation
import Logging
import MeridianCore
import MeridianDNS
import MeridianServer
import MeridianTesting
import NIOCore
import ServiceLifecycle

/// Time from Istanbul's gateways going `down` (or `hang`) until every director's DNS answer and
/// redirect for an Istanbul client have moved to Ankara, and back after recovery: two peering
/// directors with their real DNS (UDP) and redirect listeners, four stand-in gateways, the built-in
/// probe settings, each answer plane polled every 10 ms. Also counts answers that pointed at
/// Istanbul one poll (10 ms) or more after every director had judged it unavailable (and, apart,
/// those asked in the very poll in which the judgement was first seen: a decision already made in
/// memory whose answers were being installed), and measures how long answers took to move after the
/// last director's own probes had seen all of its gateways down (the exchange). With `signed`, the
/// zone is signed (a new ECDSA P-256 key) and the DNS answers asked for with the DO bit must carry
/// their RRSIG.
enum FailoverBenchmark {
    struct Plane {
        var name: String
        var ask: () -> String?
    }

    static func run(repetitions: Int, signed: Bool = false) async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        var world = try await LiveWorld.start(interval: ProbeSettings.defaultInterval, timeout: ProbeSettings.defaultTimeout,
                                              rise: ProbeSettings.defaultRise, fall: ProbeSettings.defaultFall)
        world.configuration.services[0].redirect = RedirectSettings(
            hosts: [DomainName("go.example.test")!],
            urls: ["istanbul": BaseURL("https://ist.example.test")!, "ankara": BaseURL("https://ank.example.test")!])
        world.configuration.trustedProxies = [try IPPrefix.parse("127.0.0.1/32").get()]
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-bench-keys-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: keys) }
        if signed {
            world.configuration.dnssec = DNSSECSettings()
            try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
            try ZoneKeyFolder(path: keys).write(ZoneKey.generate(.ecdsaP256SHA256, now: .now - .seconds(60)), zone: DNSName("example.test")!)
        }
        let configuration = world.configuration
        let regions = configuration.regions
        let budget = ConnectionBudget(descriptors: DescriptorLimit.raise(), configuration: configuration, directors: regions.count)
        let services = try regions.map { region in
            var options = DirectorService.Options(region: region.name.rawValue, logger: logger, budget: budget)
            options.credentials = .insecureLoopback(for: region.director.name)
            if signed { options.dnssecKeys = keys }
            return try DirectorService(configuration: configuration, options: options)
        }
        let directors = services.map(\.director)
        let group = ServiceGroup(services: services, logger: logger)
        let task = Task { try await group.run() }
        let probe = regions[0].gateways[0].probe
        print((signed ? "signed zone, DNS asked with DO; " : "") + "two peering directors, probe interval \(probe.interval.shortDescription), timeout \(probe.timeout.shortDescription), "
              + "rise \(probe.rise), fall \(probe.fall) (built-in defaults); answers polled every 10 ms")

        let planes = regions.flatMap { region in
            [Plane(name: "\(region.name) dns", ask: { dnsAnswerRegion(port: Int(region.director.dns.port), signed: signed) }),
             Plane(name: "\(region.name) redirect", ask: { redirectRegion(port: Int(region.director.redirect.port)) })]
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
                for name in istanbulGateways { try await world.gateways[name]!.setMode(mode) }
                let result = try await waitUntil(planes, answer: "ankara", forbidIstanbulWhen: everyDirectorJudgesIstanbulUnavailable,
                                                 markWhen: everyObserverSeesIstanbulDown)
                away.append((result.at - failedAt).seconds)
                if let marked = result.marked { exchange.append(max(0, (result.at - marked).seconds)) }
                wrong += result.violations
                racing += result.racing
                try await Task.sleep(for: .milliseconds(Int64(1000 + random.next() % 1000)))
                let healedAt = ContinuousClock.now
                for name in istanbulGateways { try await world.gateways[name]!.setMode(.healthy) }
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
        await world.stop()
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
            let answers = planes.map { $0.ask() }
            let wrong = forbidden ? answers.filter { $0 == "istanbul" }.count : 0
            if forbiddenBefore { violations += wrong } else { racing += wrong }
            forbiddenBefore = forbidden
            if answers.allSatisfy({ $0 == region }) { return (ContinuousClock.now, violations, racing, marked) }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CancellationError()
    }

    /// The region a DNS answer for an Istanbul client (ECS 10.34.0.0/16) points at; with `signed`,
    /// asked with DO, and only an answer with its RRSIG counts.
    static func dnsAnswerRegion(port: Int, signed: Bool = false) -> String? {
        let query = DNSSocketClient.query("api.example.test", id: UInt16.random(in: 0...UInt16.max),
                                          edns: EDNS(dnssecOK: signed, clientSubnet: ClientSubnet(address: IPAddress("10.34.0.0")!, sourcePrefixLength: 16)))
        guard let reply = DNSSocketClient.udp(query, port: port, timeout: .milliseconds(200)),
              let message = try? DNSMessage(decoding: ByteBuffer(bytes: reply)) else { return nil }
        if signed, !message.answers.contains(where: { $0.type == .rrsig }) { return nil }
        let addresses = message.answers.compactMap { record -> IPAddress? in
            if case .a(let address) = record.data { return address }
            return nil
        }
        guard let first = addresses.first, case .v4(let bits) = first else { return nil }
        return (bits >> 8) & 0xFF == 1 ? "istanbul" : "ankara"
    }

    /// The region the redirector sends an Istanbul client (forwarded by a trusted proxy) to.
    private static func redirectRegion(port: Int) -> String? {
        let request = "GET /x HTTP/1.1\r\nHost: go.example.test\r\nX-Forwarded-For: 10.34.1.1\r\nConnection: close\r\n\r\n"
        guard let response = try? RawHTTPClient.exchange(Array(request.utf8), port: port, timeout: .milliseconds(500)) else { return nil }
        if response.contains("Location: https://ist.example.test/") { return "istanbul" }
        if response.contains("Location: https://ank.example.test/") { return "ankara" }
        return nil
    }
}
