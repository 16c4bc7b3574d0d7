import MeridianCore
import NIOConcurrencyHelpers
import Prometheus

/// One director's low-rate series, in its own swift-prometheus registry (so several directors can
/// share a process, as `meridian demo` does): the sites' gauges, set from the assessment at each
/// scrape, whether the director is isolated, and the decisions explained.
final class DirectorMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let decisions = NIOLockedValueBox<[String: Counter]>([:])

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

    private func decisionCounter(service: String, region: String) -> Counter {
        let key = service + "/" + region
        return decisions.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(descriptor: MetricSeries.decisions.descriptor,
                                               labels: [("service", service), ("region", region)])
            counters[key] = counter
            return counter
        }
    }

    /// The registry's families, with the gauges set from `assessment` first.
    func emit(_ assessment: Assessment) -> String {
        for site in assessment.sites {
            let labels = [("region", site.region.name.rawValue)]
            gauge(.regionAvailable, labels).set(site.availability == .available ? 1.0 : 0.0)
            gauge(.regionScore, labels).set(site.score)
            gauge(.regionHealthyGateways, labels).set(Double(site.healthyCount))
        }
        gauge(.directorIsolated, []).set(assessment.consensus.isolated ? 1.0 : 0.0)
        return registry.emitToString()
    }

    private func gauge(_ series: MetricSeries, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(descriptor: series.descriptor, labels: labels)
    }
}

extension MetricSeries {
    /// The family as swift-prometheus names it.
    var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
