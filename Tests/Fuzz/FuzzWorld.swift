import Foundation
import MeridianCore
import MeridianDNS

/// The responder and snapshot the DNS harnesses answer with: the shipped regions/ (or
/// `MERIDIAN_REGIONS`), every gateway up.
let world: (DNSResponder, SteeringSnapshot) = {
    let folder = ProcessInfo.processInfo.environment["MERIDIAN_REGIONS"] ?? "regions"
    let configuration = try! ConfigurationLoader.load(directory: folder)
    let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
    let observations = configuration.gateways.map {
        Observation(gateway: $0.name, observer: configuration.regions[0].director.name, verdict: .up, at: now)
    }
    let assessment = Assessment.make(configuration, observations: observations, overrides: [],
                                     vantage: configuration.regions[0].director.name, now: now)
    let responder = DNSResponder(zone: AuthoritativeZone(configuration, serial: 1),
                                 options: .init(identity: "fuzz", version: "fuzz"))
    return (responder, SteeringSnapshot(assessment: assessment, locator: ClientLocator(configuration),
                                        vantage: configuration.regions.first))
}()

/// The fast path prebuilt from `world`.
let fastPath = DNSFastPath(responder: world.0, snapshot: world.1)
