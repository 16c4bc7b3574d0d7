// Meridian's benchmarks. Build and run in release from the repository root:
//
//     swift run -c release meridian-benchmarks core                 # location lookup, steering decision
//     swift run -c release meridian-benchmarks detection [REPS]     # down / hang detection time
//     swift run -c release meridian-benchmarks failover [REPS]      # every director's answers moving
//     swift run -c release meridian-benchmarks fleet-failover [REPS]  # a region-mate's share taken over, then failover
//     swift run -c release meridian-benchmarks fleet [SECONDS]      # the exchange in a fleet, in process
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
case "fleet-failover":
    try await FleetFailoverBenchmark.run(repetitions: arguments.dropFirst().first.flatMap { Int($0) } ?? 5)
case "fleet":
    FleetBenchmark.run(seconds: arguments.dropFirst().first.flatMap { Int($0) } ?? 10)
case "probes":
    let numbers = arguments.dropFirst().compactMap { Int($0) }
    guard numbers.count == 3 else { fatalError("usage: meridian-benchmarks probes GATEWAYS PORT SECONDS") }
    try await ProbeThroughputBenchmark.run(gateways: numbers[0], port: numbers[1], seconds: numbers[2])
default:
    print("usage: meridian-benchmarks [core | detection [REPETITIONS] | failover [REPETITIONS] | fleet-failover [REPETITIONS] | fleet [SECONDS] | probes GATEWAYS PORT SECONDS]")
}
