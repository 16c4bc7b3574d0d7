/// What the global file (`global.yaml`) says, read and checked key by key; references to regions
/// are checked later, once every region file is read.
struct GlobalFile {
    var zone: DomainName?
    var defaultLocation: Located<LocationReference>?
    var staleAfter: Duration?
    var drainGrace: Duration?
    var minHealthy: Double?
    var watermarks = Watermarks.standard
    var probe = ProbePatch()
    var services: [ServiceEntry] = []
    var networks: [NetworkEntry] = []
    var records: [RecordEntry] = []
    var dnssec: DNSSECSettings?
    var trustedProxies: [IPPrefix] = []
    var forwardingHeader: ForwardingHeader = .xForwardedFor
    var debugAnswers = DebugAnswers()
    var rateLimit = ResponseRateLimit()
    var tls: TLSSettings?
    var peerTLS: PeerTLSSettings?
    var geoIP: GeoIPSettings?
    /// Where `peer-client-ca` is, to report a director that has no certificate to present.
    var peerClientCALocation: SourceLocation?

    static let fileName = "global.yaml"

    /// Whether a file (by its base name) is the global file: `global.yaml` or `global.yml`.
    static func isGlobal(_ baseName: String) -> Bool {
        baseName == "global.yaml" || baseName == "global.yml"
    }

    struct ServiceEntry {
        var name: Located<ServiceName>
        var policy: SteeringPolicy?
        var ttl: UInt32?
        var maxAnswers: Int?
        var allDown: Located<String>?
        var fallback: Located<FallbackTarget>?
        var regions: [Located<RegionName>]?
        var weights: [(region: Located<RegionName>, weight: Double)] = []
        var redirect: RedirectEntry?
        var spill: Bool?
        var failback: Failback?
        var ttlMin: Located<UInt32>?
        var slo: Duration?
    }

    struct RedirectEntry {
        var location: SourceLocation
        var hosts: [Located<DomainName>] = []
        var status: Int?
        var otherMethods: Int?
        var maxAge: UInt32?
        var hsts: UInt32?
        var urls: [(region: Located<RegionName>, url: BaseURL)] = []
    }

    struct NetworkEntry {
        var name: Located<NetworkName>
        var prefixes: [Located<IPPrefix>] = []
        var location: Located<LocationReference>?
        var load: Double?
    }

    /// An empty global file, so that region files are still checked when the global one is broken.
    init() {}

    init(reading root: YAMLValue) {
        guard var reader = MappingReader(root) else { return }
        zone = reader.required("zone")?.parsed(as: "a domain name") { DomainName($0) }
        defaultLocation = reader.optional("default-location")?.locationReference()
        staleAfter = reader.optional("stale-after")?.duration()
        drainGrace = reader.optional("drain-grace")?.duration()
        minHealthy = reader.optional("min-healthy")?.fraction()
        if let value = reader.optional("watermarks") { watermarks = GlobalFile.readWatermarks(value) ?? .standard }
        probe = ProbePatch(reading: reader.optional("probe"))
        if let value = reader.required("services"), var services = MappingReader(value) {
            let entries = services.namedEntries()
            if entries.isEmpty { value.report("at least one service is needed") }
            self.services = entries.compactMap(GlobalFile.readService)
        }
        if let value = reader.optional("networks"), var networks = MappingReader(value) {
            self.networks = networks.namedEntries().compactMap(GlobalFile.readNetwork)
        }
        if let value = reader.optional("records") { records = GlobalFile.readRecords(value, zone: zone) }
        dnssec = reader.optional("dnssec").flatMap(GlobalFile.readDNSSEC)
        geoIP = reader.optional("geoip").flatMap(GlobalFile.readGeoIP)
        trustedProxies = reader.optional("trusted-proxies")?.list()?.compactMap(GlobalFile.readPrefix) ?? []
        forwardingHeader = reader.optional("forwarded-header")?.parsed(as: "a forwarding header (X-Forwarded-For or Forwarded)") {
            ForwardingHeader(name: $0)
        } ?? .xForwardedFor
        if let value = reader.optional("dns"), var dns = MappingReader(value) {
            debugAnswers.explain = dns.optional("explain")?.bool() ?? true
            debugAnswers.identity = dns.optional("identity")?.bool() ?? true
            debugAnswers.explainOverUDP = dns.optional("explain-over-udp")?.list()?.compactMap(GlobalFile.readPrefix) ?? []
            if let limit = dns.optional("rate-limit") { rateLimit = GlobalFile.readRateLimit(limit) }
            dns.finish()
        }
        if let value = reader.optional("tls") {
            let minimum = reader.optional("tls-minimum-version")?.parsed(as: "a TLS version (1.2 or 1.3)") {
                TLSSettings.MinimumVersion(rawValue: $0)
            }
            tls = GlobalFile.readTLS(value).map { TLSSettings(certificates: $0, minimumVersion: minimum ?? .tls12) }
        } else if let stray = reader.optional("tls-minimum-version") {
            stray.report("tls-minimum-version needs 'tls' (the certificates)")
        }
        let peerCA = reader.optional("peer-ca-file"), peerClientCA = reader.optional("peer-client-ca")
        if peerCA != nil || peerClientCA != nil {
            peerTLS = PeerTLSSettings(caFile: peerCA?.string(), clientCAFile: peerClientCA?.string())
            peerClientCALocation = peerClientCA?.location
        }
        reader.finish()
    }

    /// `tls:` is a list of `{certificate: FILE, key: FILE}`, at least one.
    private static func readTLS(_ value: YAMLValue) -> [TLSSettings.CertificateFiles]? {
        guard let entries = value.list() else { return nil }
        if entries.isEmpty { value.report("at least one certificate is needed") }
        let files = entries.compactMap(readCertificatePair)
        return files.count == entries.count && !files.isEmpty ? files : nil
    }

    /// `{certificate: FILE, key: FILE}` (also a director's `api-tls`).
    static func readCertificatePair(_ entry: YAMLValue) -> TLSSettings.CertificateFiles? {
        guard var reader = MappingReader(entry) else { return nil }
        let certificate = reader.required("certificate")?.string(), key = reader.required("key")?.string()
        reader.finish()
        guard let certificate, let key else { return nil }
        return TLSSettings.CertificateFiles(certificate: certificate, key: key, location: entry.location)
    }

    private static func readService(key: Located<String>, value: YAMLValue) -> ServiceEntry? {
        let name = ServiceName(key.value)
        if name == nil { value.log.report("'\(key.value)' is not a valid service name (\(ServiceName.rule))", at: key.location) }
        guard var reader = MappingReader(value) else { return nil }
        var entry = ServiceEntry(name: Located(value: name ?? "invalid", location: key.location))
        entry.policy = reader.optional("policy")?.parsed(as: "a policy (nearest, weighted, failover or latency)") {
            SteeringPolicy(rawValue: $0)
        }
        if let field = reader.optional("ttl"), let ttl = field.duration() {
            if ttl.seconds == ttl.seconds.rounded(), ttl.seconds <= 86400 {
                entry.ttl = UInt32(ttl.seconds)
            } else {
                field.report("a TTL must be whole seconds, at most 1d")
            }
        }
        entry.maxAnswers = reader.optional("max-answers")?.integer(in: 1...64)
        entry.allDown = reader.optional("all-down").flatMap { field in
            field.parsed(as: "fail-open, fail-closed or fallback") {
                ["fail-open", "fail-closed", "fallback"].contains($0) ? $0 : nil
            }.map(field.located)
        }
        entry.fallback = reader.optional("fallback").flatMap(readFallback)
        entry.regions = reader.optional("regions")?.names(of: "region")
        if let weights = reader.optional("weights"), var weightReader = MappingReader(weights) {
            for (region, field) in weightReader.namedEntries() {
                guard let name = RegionName(region.value) else {
                    field.log.report("'\(region.value)' is not a region name", at: region.location)
                    continue
                }
                if let weight = field.number(in: 0...1_000_000) {
                    entry.weights.append((Located(value: name, location: region.location), weight))
                }
            }
        }
        entry.redirect = reader.optional("redirect").flatMap(readRedirect)
        readProtection(&reader, into: &entry)
        reader.finish()
        return name == nil ? nil : entry
    }

    private static func readFallback(_ value: YAMLValue) -> Located<FallbackTarget>? {
        guard var reader = MappingReader(value) else { return nil }
        let addresses = reader.optional("addresses")?.list()?.compactMap { item in
            item.parsed(as: "an IP address") { IPAddress($0) }
        } ?? []
        let url = reader.optional("url")?.parsed(as: "an absolute http(s) URL without query") { BaseURL($0) }
        reader.finish()
        if addresses.isEmpty && url == nil {
            value.report("a fallback needs addresses, a url, or both")
            return nil
        }
        return value.located(FallbackTarget(addresses: addresses, url: url))
    }

    private static func readRedirect(_ value: YAMLValue) -> RedirectEntry? {
        guard var reader = MappingReader(value) else { return nil }
        var entry = RedirectEntry(location: value.location)
        entry.hosts = reader.required("hosts")?.list()?.compactMap { item in
            item.parsed(as: "a host name") { DomainName($0) }.map(item.located)
        } ?? []
        entry.status = reader.optional("status")?.parsed(as: "a redirect status (301, 302, 307 or 308)") {
            Int($0).flatMap { RedirectSettings.allowedStatus.contains($0) ? $0 : nil }
        }
        entry.otherMethods = reader.optional("other-methods")?.parsed(as: "307, 308 or 405") {
            Int($0).flatMap { RedirectSettings.allowedOtherMethods.contains($0) ? $0 : nil }
        }
        if let field = reader.optional("max-age"), let age = field.duration() {
            if age.seconds == age.seconds.rounded(), age.seconds <= 31_536_000 {
                entry.maxAge = UInt32(age.seconds)
            } else {
                field.report("must be whole seconds, at most 365d")
            }
        }
        if let field = reader.optional("hsts"), let age = field.duration() {
            if age.seconds == age.seconds.rounded(), age.seconds <= 2 * 31_536_000 {
                entry.hsts = UInt32(age.seconds)
            } else {
                field.report("must be whole seconds, at most 2y")
            }
        }
        if let urls = reader.required("urls"), var urlReader = MappingReader(urls) {
            for (region, field) in urlReader.namedEntries() {
                guard let name = RegionName(region.value) else {
                    field.log.report("'\(region.value)' is not a region name", at: region.location)
                    continue
                }
                if let url = field.parsed(as: "an absolute http(s) URL without query or fragment", { BaseURL($0) }) {
                    entry.urls.append((Located(value: name, location: region.location), url))
                }
            }
        }
        reader.finish()
        return entry
    }

    /// `rate-limit: off`, or a mapping of the `ResponseRateLimit` settings (each with its default).
    private static func readRateLimit(_ value: YAMLValue) -> ResponseRateLimit {
        if case .scalar(let scalar) = value.node {
            if scalar.string != "off" { value.report("'\(scalar.string)' is not off or a mapping of rate-limit settings") }
            return scalar.string == "off" ? .off : ResponseRateLimit()
        }
        guard var reader = MappingReader(value) else { return ResponseRateLimit() }
        var limit = ResponseRateLimit()
        if let rate = reader.optional("responses-per-second")?.integer(in: ResponseRateLimit.responsesPerSecondRange) {
            limit.responsesPerSecond = rate
        }
        if let slip = reader.optional("slip")?.integer(in: ResponseRateLimit.slipRange) { limit.slip = slip }
        if let length = reader.optional("ipv4-prefix")?.integer(in: 8...32) { limit.ipv4PrefixLength = length }
        if let length = reader.optional("ipv6-prefix")?.integer(in: 16...128) { limit.ipv6PrefixLength = length }
        limit.exempt = reader.optional("exempt")?.list()?.compactMap(GlobalFile.readPrefix) ?? []
        reader.finish()
        return limit
    }

    private static func readNetwork(key: Located<String>, value: YAMLValue) -> NetworkEntry? {
        let name = NetworkName(key.value)
        if name == nil { value.log.report("'\(key.value)' is not a valid network name (\(NetworkName.rule))", at: key.location) }
        guard var reader = MappingReader(value) else { return nil }
        var entry = NetworkEntry(name: Located(value: name ?? "invalid", location: key.location))
        entry.prefixes = reader.required("cidr")?.list()?.compactMap { item in
            readPrefix(item).map(item.located)
        } ?? []
        entry.location = reader.required("location")?.locationReference()
        entry.load = reader.optional("load")?.number(in: 0...1e12)
        reader.finish()
        return name == nil ? nil : entry
    }

    private static func readPrefix(_ item: YAMLValue) -> IPPrefix? {
        guard let text = item.string() else { return nil }
        switch IPPrefix.parse(text) {
        case .success(let prefix): return prefix
        case .failure(let error):
            item.report(error.description)
            return nil
        }
    }
}
