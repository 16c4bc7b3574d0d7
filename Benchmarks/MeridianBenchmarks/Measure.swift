import Foundation

/// A deterministic generator (SplitMix64), so every run measures the same inputs.
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
        perOperation.append(Double(elapsed.components.seconds) * 1e9 / Double(operations)
                            + Double(elapsed.components.attoseconds) / 1e9 / Double(operations))
    }
    perOperation.sort()
    print(String(format: "%@: best %.1f ns/op, median %.1f ns/op (%d ops x %d rounds; count %d)",
                 name, perOperation[0], perOperation[rounds / 2], operations, rounds, count))
}

/// CPU time (user + system) this process has used, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Resident memory of this process, in MiB.
func residentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kilobytes / 1024
}

/// The median of a non-empty list.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}
