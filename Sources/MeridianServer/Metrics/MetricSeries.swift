/// One series family of `/metrics`: its name, what it counts and its Prometheus type.
///
/// Every family a director exposes is named once, below, whichever way it is written: through the
/// director's swift-prometheus registry (the low-rate families: regions, explained decisions, isolation) or by
/// `PrometheusTextWriter` (the answering planes' sharded counts and the per-gateway families, which
/// are too many or too hot for the registry).
struct MetricSeries: Sendable {
    /// The Prometheus type of a family.
    enum Kind: String, Sendable {
        case counter
        case gauge
        case histogram
    }

    let name: String
    let help: String
    let kind: Kind
}

extension MetricSeries {
    // The sites, as the installed snapshot sees them.
    static let regionAvailable = MetricSeries(
        name: "meridian_region_available", help: "1 when the region's site takes clients.", kind: .gauge)
    static let regionScore = MetricSeries(
        name: "meridian_region_score", help: "The region's score: weight × healthy fraction × 100 ms / (100 ms + latency), 0 when unavailable.",
        kind: .gauge)
    static let regionHealthyGateways = MetricSeries(
        name: "meridian_region_healthy_gateways", help: "The region's gateways that are up.", kind: .gauge)
    // Each service's load plan, per eligible site (`ServiceLoadPlan`).
    static let siteDemand = MetricSeries(
        name: "meridian_site_demand", help: "The load the service's policy sends the site (after any failback ramp), before spilling.",
        kind: .gauge)
    static let siteLoad = MetricSeries(
        name: "meridian_site_load", help: "The load the site carries for the service: what it keeps and what others spill to it.",
        kind: .gauge)
    static let siteCapacity = MetricSeries(
        name: "meridian_site_capacity", help: "The site's capacity (sites with none are not listed).", kind: .gauge)
    static let siteShed = MetricSeries(
        name: "meridian_site_shed_ratio", help: "The share of the clients the policy sends the site that go to sites with room.",
        kind: .gauge)
    static let siteFailback = MetricSeries(
        name: "meridian_site_failback_ratio", help: "The share of its clients the site has back: below 1 while it fails back.",
        kind: .gauge)
    static let decisions = MetricSeries(
        name: "meridian_decisions_total", help: "Decisions explained (/v1/explain), by service and chosen region (none when all were down).",
        kind: .counter)

    // Probes and verdicts, per gateway.
    static let probes = MetricSeries(
        name: "meridian_probes_total", help: "Probes of each gateway by this director, by result.", kind: .counter)
    static let probeDuration = MetricSeries(
        name: "meridian_probe_duration_seconds", help: "How long probes took.", kind: .histogram)
    static let verdictChanges = MetricSeries(
        name: "meridian_gateway_verdict_changes_total", help: "Changes of this director's verdict, by new verdict.",
        kind: .counter)
    static let gatewayUp = MetricSeries(
        name: "meridian_gateway_up", help: "Whether clients are sent to the gateway (1) or not (0).", kind: .gauge)

    // DNS.
    static let dnsQueries = MetricSeries(
        name: "meridian_dns_queries_total", help: "DNS queries answered, by query type, response code and transport.",
        kind: .counter)
    static let dnsAnswers = MetricSeries(
        name: "meridian_dns_answers_total", help: "Steered DNS answers, by chosen region.", kind: .counter)
    static let dnsClientSubnet = MetricSeries(
        name: "meridian_dns_client_subnet_total", help: "DNS queries by whether an EDNS client subnet located the client.",
        kind: .counter)
    static let dnsStaticAnswers = MetricSeries(
        name: "meridian_dns_static_answers_total", help: "DNS answers from the zone's static records (records:), by query type.",
        kind: .counter)
    static let dnsRateLimited = MetricSeries(
        name: "meridian_dns_rate_limited_total",
        help: "DNS answers over UDP held back by response-rate limiting, by what was sent instead.", kind: .counter)

    // HTTP redirects.
    static let redirectResponses = MetricSeries(
        name: "meridian_redirect_responses_total", help: "HTTP redirector responses, by service, chosen region and status.",
        kind: .counter)
    static let redirectClientAddress = MetricSeries(
        name: "meridian_redirect_client_address_total", help: "Requests for a service, by where the client address came from.",
        kind: .counter)
    static let redirectConnectionsRefused = MetricSeries(
        name: "meridian_redirect_connections_refused_total",
        help: "Connections closed at once because the listener was full, and pauses of accepting for want of descriptors.",
        kind: .counter)

    static let dnssecSignatures = MetricSeries(
        name: "meridian_dnssec_signatures_total", help: "DNSSEC signatures this director has made (each record set once per window).",
        kind: .counter)
    static let dnssecExpiration = MetricSeries(
        name: "meridian_dnssec_signature_expiration_timestamp_seconds",
        help: "When the signatures being served expire (Unix time); a new window's signatures replace them a refresh before.", kind: .gauge)
    static let dnssecKeys = MetricSeries(
        name: "meridian_dnssec_keys", help: "The zone's keys by what they do now: signing, published (in the DNSKEY set), signalled (in CDS).",
        kind: .gauge)
    static let tlsCertificateExpiry = MetricSeries(
        name: "meridian_tls_certificate_expiry_timestamp_seconds",
        help: "When each certificate in use expires (Unix time), by listener (redirect-tls or api) and file.", kind: .gauge)
    static let tlsCertificateReloads = MetricSeries(
        name: "meridian_tls_certificate_reloads_total",
        help: "Certificate reloads (SIGHUP): every certificate read again, or one refused (the one in use stays).", kind: .counter)
    static let geoIPDatabaseBuilt = MetricSeries(
        name: "meridian_geoip_database_build_timestamp_seconds",
        help: "When the GeoIP database in use was built (its build_epoch, Unix time), by database type.", kind: .gauge)
    static let geoIPPlaceGroups = MetricSeries(
        name: "meridian_geoip_place_groups",
        help: "The place groups the GeoIP database's records make: each gets prebuilt answers like a network of the table.", kind: .gauge)
    static let geoIPReloads = MetricSeries(
        name: "meridian_geoip_reloads_total",
        help: "GeoIP database reloads after its file changed: read, or refused (the database in use stays).", kind: .counter)
    static let redirectTLSHandshakes = MetricSeries(
        name: "meridian_redirect_tls_handshakes_total",
        help: "Connections to the HTTPS redirect listener, by how their handshake ended: full, resumed, or why it failed.",
        kind: .counter)

    // Peers.
    static let peerReportsAccepted = MetricSeries(
        name: "meridian_peer_reports_accepted_total", help: "Signed peer reports taken, by sender.", kind: .counter)
    static let peerReportsRefused = MetricSeries(
        name: "meridian_peer_reports_refused_total", help: "Peer reports refused, by reason.", kind: .counter)
    static let peerFresh = MetricSeries(
        name: "meridian_peer_fresh", help: "1 when a report from the peer is fresh.", kind: .gauge)
    static let peerBytesSent = MetricSeries(
        name: "meridian_peer_bytes_sent_total",
        help: "Bytes of HTTP bodies sent to each peer, by kind (stream: the exchange's records; report: JSON reports).", kind: .counter)
    static let peerBytesReceived = MetricSeries(
        name: "meridian_peer_bytes_received_total",
        help: "Bytes of HTTP bodies received from each peer, by kind (stream: the exchange's records; report: JSON reports).",
        kind: .counter)
    static let directorIsolated = MetricSeries(
        name: "meridian_director_isolated", help: "1 when this director has peers and hears from none.", kind: .gauge)

    // Configuration releases.
    static let configurationSerial = MetricSeries(
        name: "meridian_configuration_serial",
        help: "The serial of the configuration release this director runs (0: the folder it started from, unnumbered).", kind: .gauge)
    static let configurationInstallFailures = MetricSeries(
        name: "meridian_configuration_install_failures_total",
        help: "Configuration releases from peers this director could not install (it kept the running one).", kind: .counter)
}
