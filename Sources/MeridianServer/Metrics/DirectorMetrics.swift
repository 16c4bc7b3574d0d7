import CoreMetrics
import MeridianCore
import NIOConcurrencyHelpers
import Prometheus

/// One director's metrics. Low-cardinality series (regions, explained decisions) go through swift-metrics into
/// the director's own swift-prometheus registry (so several directors can share a process, as
/// `meridian demo` does); per-gateway series are rendered from the health board by
/// `GatewayMetricsExposition`.
final class DirectorMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let decisions: NIOLockedValueBox<[String: CoreMetrics.Counter]> = NIOLockedValueBox([:])

    init() {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
    }

    /// Counts one decision by service and chosen region (`none` when every site was down).
    func counted(_ decision: Decision) {
        decisionCounter(service: decision.service.name.rawValue, region: decision.chosenRegion?.rawValue ?? "none").increment()
    }

    /// Makes the decision series of every service of `configuration` and each region it can choose
    /// (and `none`), so that they are exposed, at zero, before the first decision.
    func registerDecisions(of configuration: Configuration) {
        for service in configuration.services {
            for region in service.regions.map(\.rawValue) + ["none"] {
                _ = decisionCounter(service: service.name.rawValue, region: region)
            }
        }
    }

    private func decisionCounter(service: String, region: String) -> CoreMetrics.Counter {
        let key = service + "/" + region
        return decisions.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(label: "meridian_decisions_total", dimensions: [("service", service), ("region", region)],
                                  factory: factory)
            counters[key] = counter
            return counter
        }
    }

    /// The whole exposition: region gauges set from `assessment`, the registry's series, then the
    /// per-gateway series.
    func exposition(_ assessment: Assessment, statistics: [GatewayName: ProbeStatistics]) -> String {
        for site in assessment.sites {
            let labels = [("region", site.region.name.rawValue)]
            Gauge(label: "meridian_region_available", dimensions: labels, factory: factory)
                .record(site.availability == .available ? 1 : 0)
            Gauge(label: "meridian_region_score", dimensions: labels, factory: factory).record(site.score)
            Gauge(label: "meridian_region_healthy_gateways", dimensions: labels, factory: factory).record(site.healthyCount)
        }
        return registry.emitToString() + GatewayMetricsExposition.render(assessment, statistics: statistics)
    }
}
