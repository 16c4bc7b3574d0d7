/// Probe settings as one level of the configuration gives them (the global file, a region, a
/// gateway): every field optional. Levels are overlaid, most specific last, and the result is
/// resolved against built-in defaults for each gateway.
struct ProbePatch {
    var kind: Located<ProbeSettings.Kind>?
    var targetHost: Located<String>?
    var port: Located<UInt16>?
    var method: Located<String>?
    var path: Located<String>?
    var hostHeader: Located<String>?
    var expect: Located<[ClosedRange<Int>]>?
    var body: Located<String>?
    var interval: Located<Duration>?
    var timeout: Located<Duration>?
    var connectTimeout: Located<Duration>?
    var rise: Located<Int>?
    var fall: Located<Int>?
    var verifyTLS: Located<Bool>?
    var caFile: Located<String>?
    var load: Located<LoadReading>?

    /// Reads a `probe:` mapping.
    init(reading value: YAMLValue?) {
        guard let value, var reader = MappingReader(value) else { return }
        kind = reader.optional("type").flatMap { field in
            field.parsed(as: "a probe type (http, https or tcp)") { ProbeSettings.Kind(rawValue: $0) }.map(field.located)
        }
        port = reader.optional("port").flatMap { field in field.integer(in: 1...65535).map { field.located(UInt16($0)) } }
        if let field = reader.optional("target"), let text = field.string() {
            let portGiven = port != nil
            readTarget(text, field)
            if portGiven, port?.location == field.location {
                field.report("the port is given twice (in 'target' and in 'port'); give it once")
            }
        }
        method = reader.optional("method").flatMap { field in
            field.parsed(as: "a probe method (GET or HEAD)") { ProbeSettings.methods.contains($0) ? $0 : nil }.map(field.located)
        }
        path = reader.optional("path").flatMap { field in
            field.parsed(as: "a path starting with '/'") { $0.hasPrefix("/") && !$0.contains(where: \.isWhitespace) ? $0 : nil }
                .map(field.located)
        }
        hostHeader = reader.optional("host").flatMap { field in
            field.parsed(as: "a host name or address") { DomainName($0)?.text ?? IPAddress($0)?.description }
                .map(field.located)
        }
        expect = reader.optional("expect").flatMap { field in
            field.list().flatMap { items in
                let ranges = items.compactMap { $0.parsed(as: "a status code (200), range (200-299) or class (2xx)", parseStatus) }
                return ranges.count == items.count ? field.located(ranges) : nil
            }
        }
        body = reader.optional("body").flatMap { field in field.string().map(field.located) }
        interval = reader.optional("interval").flatMap { field in field.duration().map(field.located) }
        timeout = reader.optional("timeout").flatMap { field in field.duration().map(field.located) }
        connectTimeout = reader.optional("connect-timeout").flatMap { field in field.duration().map(field.located) }
        rise = reader.optional("rise").flatMap { field in field.integer(in: 1...100).map(field.located) }
        fall = reader.optional("fall").flatMap { field in field.integer(in: 1...100).map(field.located) }
        verifyTLS = reader.optional("verify-tls").flatMap { field in field.bool().map(field.located) }
        caFile = reader.optional("ca-file").flatMap { field in field.string().map(field.located) }
        load = reader.optional("load").flatMap { field in
            field.parsed(as: "a load reading ('header NAME' or 'json /POINTER', then optionally 'rate' or 'utilization')") {
                LoadReading($0)
            }.map(field.located)
        }
        reader.finish()
    }

    init() {}

    private mutating func readTarget(_ text: String, _ field: YAMLValue) {
        if let socket = SocketAddress(text) {
            targetHost = field.located(socket.ip.description)
            port = field.located(socket.port)
        } else if let address = IPAddress(text) {
            targetHost = field.located(address.description)
        } else if let colon = text.lastIndex(of: ":"), let name = DomainName(String(text[..<colon])),
                  let number = UInt16(text[text.index(after: colon)...]), number > 0 {
            targetHost = field.located(name.text)
            port = field.located(number)
        } else if let name = DomainName(text) {
            targetHost = field.located(name.text)
        } else {
            field.report("'\(text)' is not a probe target (HOST, HOST:PORT or [IPV6]:PORT)")
        }
    }

    /// This patch with every field that `other` sets taken from `other`.
    func overlaid(by other: ProbePatch) -> ProbePatch {
        var result = self
        if let value = other.kind { result.kind = value }
        if let value = other.targetHost { result.targetHost = value }
        if let value = other.port { result.port = value }
        if let value = other.method { result.method = value }
        if let value = other.path { result.path = value }
        if let value = other.hostHeader { result.hostHeader = value }
        if let value = other.expect { result.expect = value }
        if let value = other.body { result.body = value }
        if let value = other.interval { result.interval = value }
        if let value = other.timeout { result.timeout = value }
        if let value = other.connectTimeout { result.connectTimeout = value }
        if let value = other.rise { result.rise = value }
        if let value = other.fall { result.fall = value }
        if let value = other.verifyTLS { result.verifyTLS = value }
        if let value = other.caFile { result.caFile = value }
        if let value = other.load { result.load = value }
        return result
    }

    /// The settings for a gateway answered at `address`, declared at `gatewayLocation`; `nil` (with
    /// problems reported) when the combination is invalid.
    func resolved(for address: IPAddress, gatewayLocation: SourceLocation, log: ProblemLog) -> ProbeSettings? {
        let kind = kind?.value ?? ProbeSettings.defaultKind
        let defaultPort: UInt16? = switch kind {
        case .http: 80
        case .https: 443
        case .tcp: nil
        }
        guard let targetPort = port?.value ?? defaultPort else {
            log.report("a tcp probe needs a port (probe.port or probe.target HOST:PORT)", at: gatewayLocation)
            return nil
        }
        let interval = interval?.value ?? ProbeSettings.defaultInterval
        let timeout = timeout?.value ?? ProbeSettings.defaultTimeout
        guard timeout < interval else {
            let place = self.timeout?.location ?? self.interval?.location ?? gatewayLocation
            log.report("probe timeout (\(timeout.shortDescription)) must be shorter than its interval "
                       + "(\(interval.shortDescription))", at: place)
            return nil
        }
        if let connectTimeout, connectTimeout.value > timeout {
            log.report("probe connect-timeout (\(connectTimeout.value.shortDescription)) cannot be longer than its timeout "
                       + "(\(timeout.shortDescription))", at: connectTimeout.location)
            return nil
        }
        if let load {
            guard kind != .tcp else {
                log.report("probe.load reads an HTTP answer: a tcp probe has none", at: load.location)
                return nil
            }
            if load.value.readsBody, method?.value == "HEAD" {
                log.report("probe.load reads the body, which a HEAD probe does not get", at: load.location)
                return nil
            }
        }
        return ProbeSettings(
            kind: kind, targetHost: targetHost?.value ?? address.description, targetPort: targetPort,
            method: method?.value ?? "GET", path: path?.value ?? ProbeSettings.defaultPath, hostHeader: hostHeader?.value,
            expectedStatus: expect?.value ?? [200...299], bodyContains: body?.value,
            interval: interval, timeout: timeout, connectTimeout: connectTimeout?.value,
            rise: rise?.value ?? ProbeSettings.defaultRise, fall: fall?.value ?? ProbeSettings.defaultFall,
            verifyTLS: verifyTLS?.value ?? true, caFile: caFile?.value, load: load?.value)
    }
}

/// `200`, `200-299` or `2xx` as a range of status codes from 100 to 599.
func parseStatus(_ text: String) -> ClosedRange<Int>? {
    if text.count == 3, text.hasSuffix("xx"), let digit = Int(text.prefix(1)), (1...5).contains(digit) {
        return digit * 100...digit * 100 + 99
    }
    let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
    guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil,
          (100...599).contains(low), (100...599).contains(high), low <= high else { return nil }
    return low...high
}
