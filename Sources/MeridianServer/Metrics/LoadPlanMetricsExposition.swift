import MeridianCore

/// Writes the load plan's families: per service and eligible site, its demand, load, capacity,
/// shed share and failback share.
enum LoadPlanMetricsExposition {
    static func write(_ plan: LoadPlan, to writer: inout PrometheusTextWriter) {
        let sites = plan.services.values.sorted { $0.service.rawValue < $1.service.rawValue }.flatMap { service in
            service.sites.map { (service: service.service.rawValue, site: $0) }
        }
        let families: [(MetricSeries, (ServiceLoadPlan.Site) -> Double?)] = [
            (.siteDemand, { $0.demand }), (.siteLoad, { $0.load }), (.siteCapacity, { $0.capacity }),
            (.siteShed, { $0.shed }), (.siteFailback, { $0.failback ?? 1 }),
        ]
        for (series, value) in families {
            writer.family(series)
            for (service, site) in sites {
                guard let value = value(site) else { continue }
                writer.sample(series, ["service": service, "region": site.region.rawValue], value.rounded(to: 4))
            }
        }
    }
}
