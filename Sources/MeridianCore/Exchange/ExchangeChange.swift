/// One change of a director's state as the exchange carries it: its own observation of a gateway,
/// an override write it holds, or the removal of either. Probe counts and observation times are
/// not carried (the frame's send time stands for the time).
public enum ExchangeChange: Hashable, Sendable {
    case observation(ExchangeObservation)
    case override(OverrideTable.Write)
    /// The sender no longer holds anything under the key (a gateway gone from its configuration,
    /// an override write pruned after its expiry).
    case removed(ExchangeKey)

    /// What the change is a change of.
    public var key: ExchangeKey {
        switch self {
        case .observation(let observation): .gateway(observation.gateway)
        case .override(let write): .override(write.override.target)
        case .removed(let key): key
        }
    }
}

/// What a change is of: one gateway's observation, or the override write on one target. A
/// director's state holds one value per key.
public enum ExchangeKey: Hashable, Sendable {
    case gateway(GatewayName)
    case override(Override.Target)
}

/// A director's own observation of a gateway as the exchange carries it: the verdict, the
/// quantized latency average and the quantized load the gateway reported.
public struct ExchangeObservation: Hashable, Sendable {
    public var gateway: GatewayName
    public var verdict: Verdict
    public var latency: ExchangeLatency?
    public var load: ExchangeLoad?

    public init(gateway: GatewayName, verdict: Verdict, latency: ExchangeLatency?, load: ExchangeLoad? = nil) {
        self.gateway = gateway
        self.verdict = verdict
        self.latency = latency
        self.load = load
    }
}

/// A gateway's reported load in thousandths of its unit (`LoadReading.Unit`), at most
/// `LoadReading.largestRate`: the precision the exchange carries.
public struct ExchangeLoad: Hashable, Sendable {
    /// The most thousandths a load may have.
    public static let largest = UInt64(LoadReading.largestRate * 1000)

    public var thousandths: UInt64

    public init(thousandths: UInt64) {
        self.thousandths = thousandths
    }

    /// `load` rounded to the nearest thousandth, held at zero and at `largest`.
    public init(quantizing load: Double) {
        guard load.isFinite, load > 0 else {
            thousandths = load.isNaN || load <= 0 ? 0 : Self.largest
            return
        }
        thousandths = min(Self.largest, UInt64((load * 1000).rounded()))
    }

    public var value: Double { Double(thousandths) / 1000 }
}

/// A latency in whole steps of 0.1 ms, at most `UInt32.max` steps (about five days): the precision
/// the exchange carries.
public struct ExchangeLatency: Hashable, Sendable {
    /// One step.
    public static let step: Duration = .microseconds(100)

    public var steps: UInt32

    public init(steps: UInt32) {
        self.steps = steps
    }

    /// `latency` rounded to the nearest step, held at zero and at `UInt32.max` steps.
    public init(quantizing latency: Duration) {
        let nanoseconds = latency.nanoseconds
        guard nanoseconds > 0 else {
            steps = 0
            return
        }
        steps = UInt32(clamping: (nanoseconds / 100_000) + (nanoseconds % 100_000 >= 50_000 ? 1 : 0))
    }

    public var duration: Duration { .microseconds(Int64(steps) * 100) }
}
