import MeridianCore

/// Renders the per-gateway series in the Prometheus text format (version 0.0.4): probe results,
/// the probe latency histogram, verdict changes, and whether each gateway is served.
enum GatewayMetricsExposition {
    static func render(_ assessment: Assessment, statistics: [GatewayName: ProbeStatistics]) -> String {
        let gateways = assessment.sites.flatMap { site in site.gateways.map { ($0, site.region.name) } }
        var probes = "# HELP meridian_probes_total Probes of each gateway by this director, by result.\n"
            + "# TYPE meridian_probes_total counter\n"
        var latency = "# HELP meridian_probe_duration_seconds How long probes took.\n"
            + "# TYPE meridian_probe_duration_seconds histogram\n"
        var changes = "# HELP meridian_gateway_verdict_changes_total Changes of this director's verdict, by new verdict.\n"
            + "# TYPE meridian_gateway_verdict_changes_total counter\n"
        var up = "# HELP meridian_gateway_up Whether clients are sent to the gateway (1) or not (0).\n"
            + "# TYPE meridian_gateway_up gauge\n"
        for (status, region) in gateways {
            let labels = "gateway=\"\(status.gateway.name)\",region=\"\(region)\""
            up += "meridian_gateway_up{\(labels)} \(status.state.isServing ? 1 : 0)\n"
            guard let stats = statistics[status.gateway.name] else { continue }
            probes += "meridian_probes_total{\(labels),result=\"success\"} \(stats.successes)\n"
            probes += "meridian_probes_total{\(labels),result=\"failure\"} \(stats.failures)\n"
            for (bound, count) in zip(ProbeStatistics.bucketBounds, stats.buckets) {
                latency += "meridian_probe_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(count)\n"
            }
            latency += "meridian_probe_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(stats.probes)\n"
            latency += "meridian_probe_duration_seconds_sum{\(labels)} \(stats.latencySum)\n"
            latency += "meridian_probe_duration_seconds_count{\(labels)} \(stats.probes)\n"
            changes += "meridian_gateway_verdict_changes_total{\(labels),to=\"up\"} \(stats.wentUp)\n"
            changes += "meridian_gateway_verdict_changes_total{\(labels),to=\"down\"} \(stats.wentDown)\n"
        }
        return probes + latency + changes + up
    }
}
