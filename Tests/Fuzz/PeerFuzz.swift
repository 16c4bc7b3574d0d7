import Foundation
import MeridianCore

/// Feeds every input to the configuration release decoder and its check, and to the peer report
/// decoder and, when a report comes out, to the check a
/// director makes before taking it (`PeerReportCheck`), as Ankara's report at a fixed moment. Any
/// trap is a finding, and so is a report taken that breaks the rules: an observation that is not
/// the sender's own or not of a configured gateway, more writes than the table can hold, or a
/// report that would not fit in the body limit. A taken report then goes through what a director
/// does with it (merge, consensus, assessment), which must not trap either.
let configuration: Configuration = {
    let folder = ProcessInfo.processInfo.environment["MERIDIAN_REGIONS"] ?? "regions"
    return try! ConfigurationLoader.load(directory: folder)
}()
let sender = configuration.regions.first!.director.name
let receiver = configuration.regions.last!.director.name
let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
let check = PeerReportCheck(configuration: configuration, maximumSkew: .seconds(30))
let gateways = Set(configuration.gateways.map(\.name))
let locator = ClientLocator(configuration)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // A peer's configuration release (`GET /v1/peer/configuration?serial=N`) is checked without trapping.
    if let release = try? JSONDecoder().decode(ConfigurationRelease.self, from: Data(bytes: data, count: size)) {
        _ = release.problem(at: now, maximumSkew: .seconds(30))
    }
    guard let report = try? JSONDecoder().decode(PeerReport.self, from: Data(bytes: data, count: size)) else { return 0 }
    guard case .success(let taken) = check.check(report, from: sender, at: now) else { return 0 }
    precondition(taken.release.map { $0.problem(at: now, maximumSkew: .seconds(30)) == nil } ?? true, "a bad announcement taken")
    precondition(taken.observations.allSatisfy { $0.observer == sender && gateways.contains($0.gateway) }, "a foreign observation taken")
    precondition(taken.overrides.count <= OverrideRules.largestTable(for: configuration), "more writes than targets")
    let body = try! JSONEncoder().encode(taken)
    precondition(body.count <= PeerReportCheck.largestBody(for: configuration), "a report taken that the body limit refuses")
    var table = OverrideTable()
    table.merge(taken.overrides)
    table.prune(at: now)
    let overrides = table.inForce(at: now)
    let assessment = Assessment.make(configuration, observations: taken.observations, overrides: overrides,
                                     vantage: receiver, peers: [sender], now: now)
    _ = OverrideSet(overrides, at: now, drainGrace: configuration.drainGrace).all.map { $0.reason.count + ($0.expiresAt?.iso8601.count ?? 0) }
    for site in assessment.sites { _ = site.latency.map(\.shortDescription) }
    let client = locator.locate(IPAddress("10.34.1.1")!, vantage: configuration.region(receiver))
    for service in configuration.services { _ = Steering.decide(service, for: client, in: assessment) }
    return 0
}

/// The entry point SwiftPM links for this target (FuzzDriver.swift).
@_cdecl("PeerFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv)
}
