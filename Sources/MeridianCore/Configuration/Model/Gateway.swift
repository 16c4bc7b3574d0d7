/// One API-gateway instance inside a site, probed on its own.
public struct Gateway: Hashable, Sendable {
    /// Unique across all regions.
    public var name: GatewayName
    public var region: RegionName
    /// The address given to clients in answers.
    public var address: IPAddress
    /// How and where the gateway is probed (the probe target may differ from `address`).
    public var probe: ProbeSettings

    public init(name: GatewayName, region: RegionName, address: IPAddress, probe: ProbeSettings) {
        self.name = name
        self.region = region
        self.address = address
        self.probe = probe
    }
}

/// How one gateway is health-checked. Every field has a default, so a gateway needs no probe
/// settings of its own; `timeout` is always shorter than `interval`.
public struct ProbeSettings: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case http, https, tcp
    }

    public var kind: Kind
    /// The host (address or name) and port to connect to.
    public var targetHost: String
    public var targetPort: UInt16
    /// HTTP(S) only: the request method, `GET` or `HEAD`.
    public var method: String
    /// HTTP(S) only: the request path.
    public var path: String
    /// HTTP(S) only: the Host header and TLS server name; `nil` means the target host.
    public var hostHeader: String?
    /// HTTP(S) only: the status codes that count as healthy.
    public var expectedStatus: [ClosedRange<Int>]
    /// HTTP(S) only: a substring the response body must contain.
    public var bodyContains: String?
    public var interval: Duration
    /// The whole probe's time limit.
    public var timeout: Duration
    /// The limit for establishing the connection; never more than `timeout`.
    public var connectTimeout: Duration
    /// Consecutive successes that bring a down gateway up (and that clear counted failures).
    public var rise: Int
    /// Failures, not cleared by `rise` successes in a row, that take an up gateway down.
    public var fall: Int
    /// HTTPS only: whether the certificate is verified (the default).
    public var verifyTLS: Bool
    /// HTTPS only: a PEM file of trusted CA certificates instead of the system's.
    public var caFile: String?
    /// HTTP(S) only: where the answer says the gateway's load (`probe.load`), if it does.
    public var load: LoadReading?

    /// The built-in defaults, used where neither the global file, the region nor the gateway says.
    public static let defaultKind = Kind.http
    public static let defaultPath = "/health"
    public static let defaultInterval = Duration.seconds(1)
    public static let defaultTimeout = Duration.milliseconds(400)
    public static let defaultRise = 2
    public static let defaultFall = 2

    /// The request methods a probe may use.
    public static let methods: Set<String> = ["GET", "HEAD"]

    public init(kind: Kind = .http, targetHost: String, targetPort: UInt16, method: String = "GET", path: String = defaultPath,
                hostHeader: String? = nil, expectedStatus: [ClosedRange<Int>] = [200...299],
                bodyContains: String? = nil, interval: Duration = defaultInterval,
                timeout: Duration = defaultTimeout, connectTimeout: Duration? = nil, rise: Int = defaultRise,
                fall: Int = defaultFall, verifyTLS: Bool = true, caFile: String? = nil, load: LoadReading? = nil) {
        self.kind = kind
        self.targetHost = targetHost
        self.targetPort = targetPort
        self.method = method
        self.path = path
        self.hostHeader = hostHeader
        self.expectedStatus = expectedStatus
        self.bodyContains = bodyContains
        self.interval = interval
        self.timeout = timeout
        self.connectTimeout = min(connectTimeout ?? timeout, timeout)
        self.rise = rise
        self.fall = fall
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.load = load
    }

    /// The longest a failure can take to turn this gateway down: a probe that starts just before the
    /// failure succeeds, then `fall` probes fail, the last at its timeout.
    public var worstCaseDetection: Duration { interval * fall + timeout }
}
