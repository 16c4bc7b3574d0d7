import MeridianCore

/// Writes the per-gateway families: probe results, the probe latency histogram, verdict changes,
/// and whether each gateway is served.
enum GatewayMetricsExposition {
    static func write(_ assessment: Assessment, statistics: [GatewayName: ProbeStatistics], to writer: inout PrometheusTextWriter) {
        let gateways = assessment.sites.flatMap { site in site.gateways.map { ($0, site.region.name.rawValue) } }
        let probed = gateways.compactMap { status, region in
            statistics[status.gateway.name].map { (gateway: status.gateway.name.rawValue, region: region, statistics: $0) }
        }
        writer.family(.probes)
        for (gateway, region, stats) in probed {
            writer.sample(.probes, ["gateway": gateway, "region": region, "result": "success"], stats.successes)
            writer.sample(.probes, ["gateway": gateway, "region": region, "result": "failure"], stats.failures)
        }
        writer.family(.probeDuration)
        for (gateway, region, stats) in probed {
            for (bound, count) in zip(ProbeStatistics.bucketBounds, stats.buckets) {
                writer.sample(.probeDuration, suffix: "_bucket", ["gateway": gateway, "region": region, "le": "\(bound)"], count)
            }
            writer.sample(.probeDuration, suffix: "_bucket", ["gateway": gateway, "region": region, "le": "+Inf"], stats.probes)
            writer.sample(.probeDuration, suffix: "_sum", ["gateway": gateway, "region": region], stats.latencySum)
            writer.sample(.probeDuration, suffix: "_count", ["gateway": gateway, "region": region], stats.probes)
        }
        writer.family(.verdictChanges)
        for (gateway, region, stats) in probed {
            writer.sample(.verdictChanges, ["gateway": gateway, "region": region, "to": "up"], stats.wentUp)
            writer.sample(.verdictChanges, ["gateway": gateway, "region": region, "to": "down"], stats.wentDown)
        }
        writer.family(.gatewayUp)
        for (status, region) in gateways {
            writer.sample(.gatewayUp, ["gateway": status.gateway.name.rawValue, "region": region], status.state.isServing ? 1 : 0)
        }
    }
}
