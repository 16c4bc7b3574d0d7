import MeridianCore

extension Director {
    /// The Prometheus text exposition (version 0.0.4) of everything this director counts: the
    /// registry's low-rate families, the answering planes' counts, the peers, the gateways and the load
    /// plan; the sites, gateways and plan as the installed snapshot has them.
    public func metricsText(at now: Timestamp = .now) -> String {
        let snapshot = currentSnapshot()
        let assessment = snapshot.assessment
        var writer = PrometheusTextWriter()
        answering.statistics.write(to: &writer)
        answering.rateLimiter.write(to: &writer)
        redirects.statistics.write(to: &writer)
        certificates.write(to: &writer)
        geoIP.write(to: &writer)
        signing?.write(to: &writer)
        if let peering { peering.write(to: &writer, peers: peerStates(configuration, now: now)) }
        writeReleaseMetrics(to: &writer)
        GatewayMetricsExposition.write(assessment, statistics: board.statistics, to: &writer)
        LoadPlanMetricsExposition.write(snapshot.plan, to: &writer)
        return metrics.emit(assessment) + writer.text
    }
}
