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

/// One gateway's probe counters, latency histogram and verdict-change counters.
struct GatewayMetrics: Sendable {
    private let successes: CoreMetrics.Counter
    private let failures: CoreMetrics.Counter
    private let latency: CoreMetrics.Timer
    private let wentUp: CoreMetrics.Counter
    private let wentDown: CoreMetrics.Counter

    init(gateway: Gateway, factory: PrometheusMetricsFactory) {
        let labels = [("gateway", gateway.name.rawValue), ("region", gateway.region.rawValue)]
        successes = Counter(label: "meridian_probes_total", dimensions: labels + [("result", "success")], factory: factory)
        failures = Counter(label: "meridian_probes_total", dimensions: labels + [("result", "failure")], factory: factory)
        latency = Timer(label: "meridian_probe_duration_seconds", dimensions: labels, factory: factory)
        wentUp = Counter(label: "meridian_gateway_verdict_changes_total", dimensions: labels + [("to", "up")], factory: factory)
        wentDown = Counter(label: "meridian_gateway_verdict_changes_total", dimensions: labels + [("to", "down")], factory: factory)
    }

    func recorded(_ outcome: ProbeOutcome) {
        (outcome.succeeded ? successes : failures).increment()
        latency.recordNanoseconds(outcome.latency.nanoseconds)
    }

    func verdictChanged(to verdict: Verdict) {
        if verdict == .up { wentUp.increment() }
        if verdict == .down { wentDown.increment() }
    }
}

/// Region and gateway gauges (refreshed when scraped) and decision counters of one director.
final class DirectorMetrics: Sendable {
    private let factory: PrometheusMetricsFactory
    private let decisions: NIOLockedValueBox<[String: CoreMetrics.Counter]> = NIOLockedValueBox([:])

    init(registry: PrometheusCollectorRegistry) {
        factory = PrometheusMetricsFactory(registry: registry)
    }

    /// Counts one decision by service and chosen region (`none` when every site was down).
    func counted(_ decision: Decision) {
        let region = decision.chosenRegion?.rawValue ?? "none"
        let key = decision.service.name.rawValue + "/" + region
        let counter = decisions.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: "meridian_decisions_total",
                                  dimensions: [("service", decision.service.name.rawValue), ("region", region)], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// Sets the state gauges from an assessment.
    func update(from assessment: Assessment) {
        for site in assessment.sites {
            let labels = [("region", site.region.name.rawValue)]
            Gauge(label: "meridian_region_available", dimensions: labels, factory: factory)
                .record(site.availability == .available ? 1 : 0)
            Gauge(label: "meridian_region_score", dimensions: labels, factory: factory).record(site.score)
            Gauge(label: "meridian_region_healthy_gateways", dimensions: labels, factory: factory).record(site.healthyCount)
            for gateway in site.gateways {
                Gauge(label: "meridian_gateway_up",
                      dimensions: [("gateway", gateway.gateway.name.rawValue), ("region", site.region.name.rawValue)],
                      factory: factory).record(gateway.state.isServing ? 1 : 0)
            }
        }
    }
}
