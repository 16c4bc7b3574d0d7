import MeridianCore
import NIOConcurrencyHelpers

/// This director's health state machine for every gateway, fed by the probes and read by the
/// dashboard and the decision snapshot. Thread-safe: probes on any event loop record into it.
public final class HealthBoard: Sendable {
    private let records: NIOLockedValueBox<[GatewayName: GatewayHealth]>

    public init(_ configuration: Configuration) {
        records = NIOLockedValueBox(Dictionary(uniqueKeysWithValues: configuration.gateways.map {
            ($0.name, GatewayHealth(settings: $0.probe))
        }))
    }

    /// Records a probe result; returns the gateway's state after it and the verdict change it caused.
    func record(_ outcome: ProbeOutcome, for gateway: GatewayName) -> (GatewayHealth, GatewayHealth.Change?)? {
        records.withLockedValue { records in
            guard var health = records[gateway] else { return nil }
            let change = health.record(outcome)
            records[gateway] = health
            return (health, change)
        }
    }

    /// Every gateway's current state.
    public var health: [GatewayName: GatewayHealth] {
        records.withLockedValue { $0 }
    }

    /// This director's observations, as the consensus and the peers take them.
    public func observations(by observer: RegionName) -> [Observation] {
        records.withLockedValue { records in
            records.compactMap { name, health in health.observation(of: name, by: observer) }
        }
    }

    /// Adopts a new configuration: gateways whose probe settings are unchanged keep their state,
    /// changed and new ones start afresh, removed ones are forgotten.
    func adopt(_ configuration: Configuration, previous: Configuration) {
        let old = Dictionary(previous.gateways.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        records.withLockedValue { records in
            var next: [GatewayName: GatewayHealth] = [:]
            for gateway in configuration.gateways {
                if let kept = records[gateway.name], old[gateway.name] == gateway {
                    next[gateway.name] = kept
                } else {
                    next[gateway.name] = GatewayHealth(settings: gateway.probe)
                }
            }
            records = next
        }
    }
}
