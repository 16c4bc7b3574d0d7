import MeridianCore
import NIOConcurrencyHelpers
import Synchronization

/// This director's health state machine and probe statistics for every gateway, fed by the probes
/// and read by the dashboard, the metrics and the decision snapshot. Thread-safe: probes on any
/// event loop record into it.
public final class HealthBoard: Sendable {
    /// One gateway's entry.
    struct Record: Sendable {
        var health: GatewayHealth
        var statistics = ProbeStatistics()
    }

    private let records: NIOLockedValueBox<[GatewayName: Record]>
    private let decisionChanges = Atomic<UInt64>(0)

    public init(_ configuration: Configuration) {
        records = NIOLockedValueBox(Dictionary(uniqueKeysWithValues: configuration.gateways.map {
            ($0.name, Record(health: GatewayHealth(settings: $0.probe)))
        }))
    }

    /// Records a probe result; returns the gateway's state after it and the verdict change it caused.
    func record(_ outcome: ProbeOutcome, for gateway: GatewayName) -> (GatewayHealth, GatewayHealth.Change?)? {
        records.withLockedValue { records in
            guard var record = records[gateway] else { return nil }
            let firstOutcome = record.health.lastOutcome == nil
            let change = record.health.record(outcome)
            record.statistics.record(outcome, change: change?.to)
            records[gateway] = record
            if change != nil || firstOutcome { decisionChanges.add(1, ordering: .releasing) }
            return (record.health, change)
        }
    }

    /// How many times this director's observations changed in a way the decision reads (a verdict
    /// changed, a gateway was probed for the first time, a reload): counted before the change is
    /// visible, so whoever read a verdict reads a count that includes its change.
    var decisionInputChanges: UInt64 { decisionChanges.load(ordering: .acquiring) }

    /// Every gateway's current state.
    public var health: [GatewayName: GatewayHealth] {
        records.withLockedValue { $0.mapValues(\.health) }
    }

    /// Every gateway's probe statistics.
    var statistics: [GatewayName: ProbeStatistics] {
        records.withLockedValue { $0.mapValues(\.statistics) }
    }

    /// The number of probes recorded, over all gateways.
    public var totalProbes: UInt64 {
        records.withLockedValue { $0.values.reduce(0) { $0 + $1.statistics.probes } }
    }

    /// This director's observations, as the consensus and the peers take them.
    public func observations(by observer: DirectorName) -> [Observation] {
        records.withLockedValue { records in
            records.compactMap { name, record in record.health.observation(of: name, by: observer) }
        }
    }

    /// This director's observations of `gateways` only.
    func observations(by observer: DirectorName, of gateways: Set<GatewayName>) -> [Observation] {
        records.withLockedValue { records in
            gateways.compactMap { name in records[name]?.health.observation(of: name, by: observer) }
        }
    }

    /// Forgets this director's state of `gateway`, which it no longer probes (a region-mate does):
    /// an observation nobody keeps up would count until it went stale, and the gateway, taken over
    /// again later, is judged afresh by its first probe.
    func forget(_ gateway: GatewayName) {
        records.withLockedValue { records in
            guard let health = records[gateway]?.health else { return }
            records[gateway]?.health = GatewayHealth(rise: health.rise, fall: health.fall)
            decisionChanges.add(1, ordering: .releasing)
        }
    }

    /// Adopts a new configuration: gateways whose probe settings are unchanged keep their state,
    /// changed and new ones start afresh, removed ones are forgotten.
    func adopt(_ configuration: Configuration, previous: Configuration) {
        let old = Dictionary(previous.gateways.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        records.withLockedValue { records in
            var next: [GatewayName: Record] = [:]
            for gateway in configuration.gateways {
                if let kept = records[gateway.name], old[gateway.name] == gateway {
                    next[gateway.name] = kept
                } else {
                    next[gateway.name] = Record(health: GatewayHealth(settings: gateway.probe))
                }
            }
            records = next
            decisionChanges.add(1, ordering: .releasing)
        }
    }
}
