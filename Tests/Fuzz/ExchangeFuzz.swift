import Foundation
import MeridianCore

/// Feeds every input, as a stream of frames (each behind a two-byte big-endian length), to the
/// exchange frame decoder within the limits of the configuration, and every frame that decodes
/// and passes `ExchangeCheck` to a ledger receiving as Ankara's peer, in order. Any trap is a
/// finding, and so is a decoded frame that does not encode back to itself, a replica that holds
/// more than the configuration has room for or an observation of a gateway the configuration does
/// not name, or a view that the consensus and assessment cannot take.
let configuration: Configuration = {
    let folder = ProcessInfo.processInfo.environment["MERIDIAN_REGIONS"] ?? "regions"
    return try! ConfigurationLoader.load(directory: folder)
}()
let sender = configuration.regions.first!.director.name
let receiver = configuration.regions.last!.director.name
let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
let limits = ExchangeLimits(for: configuration)
let check = ExchangeCheck(configuration: configuration, maximumSkew: .seconds(30))
let gateways = Set(configuration.gateways.map(\.name))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    var ledger = ExchangeLedger<DirectorName>(epoch: 1, settings: .init(configuration: configuration))
    var offset = 0
    var step: Int64 = 0
    while offset + 2 <= input.count {
        let length = Int(input[offset]) << 8 | Int(input[offset + 1])
        let end = min(offset + 2 + length, input.count)
        let bytes = Array(input[(offset + 2)..<end])
        offset = end
        step += 1
        guard let frame = try? ExchangeFrame(decoding: bytes, limits: limits) else { continue }
        precondition((try? ExchangeFrame(decoding: frame.encoded(), limits: limits)) == frame, "a frame that does not encode back to itself")
        let at = now + .milliseconds(step * 10)
        guard check.refusal(of: frame, at: at) == nil else { continue }
        _ = ledger.receive(frame, from: sender, at: at)
        _ = ledger.frames(for: sender, at: at).map { $0.encoded() }
    }
    guard let replica = ledger.replicas[sender] else { return 0 }
    precondition(replica.count <= limits.largestCount, "a replica over the configuration's room")
    let observations = replica.observations(by: sender)
    precondition(observations.allSatisfy { $0.observer == sender && gateways.contains($0.gateway) }, "a foreign observation held")
    var table = OverrideTable()
    table.merge(replica.overrides)
    let assessment = Assessment.make(configuration, observations: observations, overrides: table.inForce(at: now),
                                     vantage: receiver, peers: [sender], now: now)
    for site in assessment.sites { _ = site.latency.map(\.shortDescription) }
    return 0
}

/// The entry point SwiftPM links for this target (FuzzDriver.swift).
@_cdecl("ExchangeFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv)
}
