import MeridianCore
import MeridianDNS

/// The pure hot paths: client location over 100,000 prefixes and from a GeoIP database, one
/// steering decision, and one DNSSEC signature (a compact denial of a name not asked for before,
/// the case no cache helps).
enum CoreBenchmarks {
    static func run() throws {
        var random = SplitMix(state: 2026)
        let prefixCount = 100_000
        var unique: Set<IPPrefix> = []
        while unique.count < prefixCount {
            // Four in five IPv4 (lengths 8 to 28, many nested), one in five IPv6 (lengths 24 to 64).
            if random.next() % 5 == 0 {
                let bits = UInt128(random.next()) << 64 | UInt128(random.next())
                unique.insert(IPPrefix(masking: .v6(0x2000 << 112 | bits >> 3), length: 24 + Int(random.next() % 41)))
            } else {
                unique.insert(IPPrefix(masking: .v4(UInt32(truncatingIfNeeded: random.next())), length: 8 + Int(random.next() % 21)))
            }
        }
        let entries = unique.sorted().enumerated().map { (prefix: $0.element, value: $0.offset) }
        let buildStart = ContinuousClock.now
        let table = PrefixTable(entries)
        print("built a table of \(table.count) prefixes in \((ContinuousClock.now - buildStart).shortDescription)")

        let lookupCount = 1_000_000
        let addresses: [IPAddress] = (0..<lookupCount).map { _ in
            if random.next() % 5 == 0 {
                let bits = UInt128(random.next()) << 64 | UInt128(random.next())
                return .v6(0x2000 << 112 | bits >> 3)
            }
            return .v4(UInt32(truncatingIfNeeded: random.next()))
        }
        measure("location lookup, 100k prefixes, random v4/v6 addresses", operations: lookupCount) {
            var matched = 0
            for address in addresses where table.lookup(address) != nil { matched &+= 1 }
            return matched
        }

        let configuration = try ConfigurationLoader.load(directory: "regions")
        try GeoIPBenchmark.run(regions: configuration)
        let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
        let observations = configuration.gateways.flatMap { gateway in
            configuration.directors.map { Observation(gateway: gateway.name, observer: $0.endpoints.name, verdict: .up, at: now) }
        }
        let assessment = Assessment.make(configuration, observations: observations, overrides: [], vantage: "istanbul", now: now)
        let client = ClientLocator(configuration).locate(IPAddress("10.34.1.1")!)
        let service = configuration.services[0]
        let decisionCount = 100_000
        measure("steering decision (\(service.policy.rawValue), \(configuration.regions.count) regions)", operations: decisionCount) {
            var total = 0
            for index in 0..<decisionCount {
                total &+= Steering.decide(service, for: client, in: assessment, family: .v4, selector: UInt64(index)).addresses.count
            }
            return total
        }
    
        let apex = DNSName("example.test")!
        // What signing adds to a failover: the answer planes rebuilt with a new signer, every set
        // signed anew (a changed decision signs only its new sets, so this bounds it).
        let snapshot = SteeringSnapshot(assessment: assessment, locator: ClientLocator(configuration), vantage: configuration.regions.first)
        let zone = AuthoritativeZone(configuration, serial: 1)
        let options = DNSResponder.Options(identity: "bench", version: "0")
        let planeKey = ZoneKey.generate(.ecdsaP256SHA256, now: now - .seconds(60))
        measure("answer planes rebuilt unsigned (\(configuration.services.count) services)", operations: 1, rounds: 5) {
            DNSFastPath(responder: DNSResponder(zone: zone, options: options), snapshot: snapshot).regionNames.count
        }
        measure("answer planes rebuilt and signed, every set new (ECDSAP256SHA256)", operations: 1, rounds: 5) {
            let signer = ZoneSigner(apex: apex, keys: [planeKey], settings: DNSSECSettings(), now: now, keyTTL: 3600)
            return DNSFastPath(responder: DNSResponder(zone: zone, options: options, signer: signer), snapshot: snapshot).regionNames.count
        }
        for algorithm in ZoneKey.Algorithm.allCases {
            let key = ZoneKey.generate(algorithm, now: now - .seconds(60))
            guard let signer = ZoneSigner(apex: apex, keys: [key], settings: DNSSECSettings(), now: now, keyTTL: 3600) else { continue }
            let signatureCount = 5_000
            var round = 0
            measure("DNSSEC signature, \(algorithm.mnemonic) (a denial of a new name each)", operations: signatureCount, rounds: 5) {
                round += 1
                var total = 0
                for index in 0..<signatureCount {
                    guard let name = DNSName("nx\(round)-\(index).example.test") else { continue }
                    total &+= signer.denial(at: name, types: [.nxname], ttl: 30).count
                }
                return total
            }
        }
    }
}
