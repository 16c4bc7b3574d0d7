import CoreMetrics
import MeridianCore
import NIOConcurrencyHelpers
import Prometheus

/// Probe metrics, through swift-metrics into one director's own Prometheus registry (so several
/// directors can share a process, as `meridian demo` does).
public final class ProbeMetrics: Sendable {
    let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2),
        ]
        self.factory = factory
    }

    /// The metric handles of one gateway, made once so that a probe only touches counters.
    func gateway(_ gateway: Gateway) -> GatewayMetrics {
        GatewayMetrics(gateway: gateway, factory: factory)
    }
}

/// One gateway's probe counters, latency histogram and state gauge.
struct GatewayMetrics: Sendable {
    private let successes: CoreMetrics.Counter
    private let failures: CoreMetrics.Counter
    private let latency: CoreMetrics.Timer
    private let up: CoreMetrics.Gauge
    private let wentUp: CoreMetrics.Counter
    private let wentDown: CoreMetrics.Counter

    init(gateway: Gateway, factory: PrometheusMetricsFactory) {
        let labels = [("gateway", gateway.name.rawValue), ("region", gateway.region.rawValue)]
        successes = Counter(label: "meridian_probes_total", dimensions: labels + [("result", "success")], factory: factory)
        failures = Counter(label: "meridian_probes_total", dimensions: labels + [("result", "failure")], factory: factory)
        latency = Timer(label: "meridian_probe_duration_seconds", dimensions: labels, factory: factory)
        up = Gauge(label: "meridian_gateway_up", dimensions: labels, factory: factory)
        wentUp = Counter(label: "meridian_gateway_verdict_changes_total", dimensions: labels + [("to", "up")], factory: factory)
        wentDown = Counter(label: "meridian_gateway_verdict_changes_total", dimensions: labels + [("to", "down")], factory: factory)
    }

    func recorded(_ outcome: ProbeOutcome) {
        (outcome.succeeded ? successes : failures).increment()
        latency.recordNanoseconds(outcome.latency.nanoseconds)
    }

    func verdictChanged(to verdict: Verdict) {
        up.record(verdict == .up ? 1 : 0)
        if verdict == .up { wentUp.increment() }
        if verdict == .down { wentDown.increment() }
    }
}
