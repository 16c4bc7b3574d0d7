import Foundation
import MeridianCore

// Micro-benchmarks of Meridian's pure hot paths. Build and run in release:
//
//     swift run -c release meridian-benchmarks
//
// Each benchmark prints the mean time per operation over several rounds (best and median round).

/// A deterministic generator (SplitMix64), so every run measures the same table and addresses.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs `body` for `rounds` rounds of `operations` each and prints nanoseconds per operation.
/// `body` returns a count (of matches, of addresses) so that the work cannot be optimised away.
func measure(_ name: String, operations: Int, rounds: Int = 7, _ body: () -> Int) {
    let clock = ContinuousClock()
    var perOperation: [Double] = []
    var count = 0
    for _ in 0..<rounds {
        let elapsed = clock.measure { count = body() }
        perOperation.append(Double(elapsed.nanoseconds) / Double(operations))
    }
    perOperation.sort()
    print(String(format: "%@: best %.1f ns/op, median %.1f ns/op (%d ops x %d rounds; count %d)",
                 name, perOperation[0], perOperation[rounds / 2], operations, rounds, count))
}

// MARK: Client location: longest-prefix match over 100,000 prefixes

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

// MARK: One steering decision (what a cache miss on the DNS path costs)

let configuration = try ConfigurationLoader.load(directory: "regions")
let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
let observations = configuration.gateways.flatMap { gateway in
    configuration.regions.map { Observation(gateway: gateway.name, observer: $0.name, verdict: .up, at: now) }
}
let assessment = Assessment.make(configuration, observations: observations, overrides: [], vantage: "istanbul", now: now)
let locator = ClientLocator(configuration)
let service = configuration.services[0]
let client = locator.locate(IPAddress("10.34.1.1")!)
let decisionCount = 100_000
measure("steering decision (\(service.policy.rawValue), 2 regions)", operations: decisionCount) {
    var total = 0
    for index in 0..<decisionCount {
        total &+= Steering.decide(service, for: client, in: assessment, family: .v4, selector: UInt64(index)).addresses.count
    }
    return total
}
