// Meridian's benchmarks. Build and run in release from the repository root:
//
//     swift run -c release meridian-benchmarks core                 # location lookup (table, GeoIP), steering decision
//     swift run -c release meridian-benchmarks detection [REPS]     # down / hang detection time
//     swift run -c release meridian-benchmarks failover [REPS]      # every director's answers moving
//     swift run -c release meridian-benchmarks failover-signed [REPS]  # the same with the zone signed, asked with DO
//     swift run -c release meridian-benchmarks fleet-failover [REPS]  # a region-mate's share taken over, then failover
//     swift run -c release meridian-benchmarks fleet [SECONDS [DIRECTORS GATEWAYS]] [streamed]  # a fleet's exchange over HTTP, streamed and JSON (or streamed only)
//     swift run -c release meridian-benchmarks fleet-ledgers [SECONDS]  # the same in process, ledgers only
//     swift run -c release meridian-benchmarks steering [DIRECTORS GATEWAYS]  # one rebuild of a director's answers
//     Benchmarks/probe-throughput.sh                                # 5,000 gateways against nginx
//
// (`meridian-benchmarks probes GATEWAYS PORT SECONDS` is what probe-throughput.sh runs.)

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first ?? "core" {
case "core":
    try CoreBenchmarks.run()
case "detection":
    try await DetectionBenchmark.run(repetitions: arguments.dropFirst().first.flatMap { Int($0) } ?? 10)
case "failover":
    try await FailoverBenchmark.run(repetitions: arguments.dropFirst().first.flatMap { Int($0) } ?? 10)
case "failover-signed":
    try await FailoverBenchmark.run(repetitions: arguments.dropFirst().first.flatMap { Int($0) } ?? 10, signed: true)
case "fleet-failover":
    try await FleetFailoverBenchmark.run(repetitions: arguments.dropFirst().first.flatMap { Int($0) } ?? 5)
case "fleet":
    let numbers = arguments.dropFirst().compactMap { Int($0) }
    let reports = !arguments.contains("streamed")
    if numbers.count == 3 {
        try await FleetExchangeBenchmark.run(seconds: numbers[0], shapes: [(numbers[1], numbers[2])], reports: reports)
    } else {
        try await FleetExchangeBenchmark.run(seconds: numbers.first ?? 10, reports: reports)
    }
case "fleet-ledgers":
    FleetBenchmark.run(seconds: arguments.dropFirst().first.flatMap { Int($0) } ?? 10)
case "steering":
    let numbers = arguments.dropFirst().compactMap { Int($0) }
    FleetBenchmark.steering(directors: numbers.first ?? 20, gateways: numbers.dropFirst().first ?? 10_000)
case "probes":
    let numbers = arguments.dropFirst().compactMap { Int($0) }
    guard numbers.count == 3 else { fatalError("usage: meridian-benchmarks probes GATEWAYS PORT SECONDS") }
    try await ProbeThroughputBenchmark.run(gateways: numbers[0], port: numbers[1], seconds: numbers[2])
default:
    print("usage: meridian-benchmarks [core | detection [REPETITIONS] | failover [REPETITIONS] | failover-signed [REPETITIONS] | fleet-failover [REPETITIONS] | fleet [SECONDS [DIRECTORS GATEWAYS]] [streamed] | fleet-ledgers [SECONDS] | steering [DIRECTORS GATEWAYS] | probes GATEWAYS PORT SECONDS]")
}
