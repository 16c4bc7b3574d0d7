/// A name clients ask for (`api.example.test`), with the policy that steers them.
public struct Service: Hashable, Sendable {
    public var name: ServiceName
    /// `name` under the zone.
    public var fqdn: DomainName
    public var policy: SteeringPolicy
    /// The TTL of DNS answers, in seconds.
    public var ttl: UInt32
    /// The most gateway addresses one answer carries.
    public var maxAnswers: Int
    public var allDown: AllDownBehaviour
    /// The regions this service may steer to; for `failover`, in order of preference.
    public var regions: [RegionName]
    /// Weights for `weighted` steering, one per region of `regions`.
    public var weights: [RegionName: Double]
    public var redirect: RedirectSettings?
    /// Whether the excess share of a full site's clients spills to sites with room (`spill`).
    public var spill: Bool
    /// How a site that comes back gets this service's clients again (`failback`).
    public var failback: Failback
    /// The TTL answers carry while the health of a candidate site is in doubt (`ttl-min`), at most
    /// `ttl`; equal to `ttl` when not set.
    public var ttlMin: UInt32
    /// The most time clients may take to leave a failed site (`slo`), checked by `meridian check`.
    public var slo: Duration?

    public static let defaultTTL: UInt32 = 30
    public static let defaultMaxAnswers = 4

    public init(name: ServiceName, fqdn: DomainName, policy: SteeringPolicy = .nearest,
                ttl: UInt32 = defaultTTL, maxAnswers: Int = defaultMaxAnswers,
                allDown: AllDownBehaviour = .failOpen, regions: [RegionName],
                weights: [RegionName: Double], redirect: RedirectSettings? = nil, spill: Bool = true,
                failback: Failback = .standard, ttlMin: UInt32? = nil, slo: Duration? = nil) {
        self.name = name
        self.fqdn = fqdn
        self.policy = policy
        self.ttl = ttl
        self.maxAnswers = maxAnswers
        self.allDown = allDown
        self.regions = regions
        self.weights = weights
        self.redirect = redirect
        self.spill = spill
        self.failback = failback
        self.ttlMin = min(ttlMin ?? ttl, ttl)
        self.slo = slo
    }
}

/// How a service picks a site among the available ones.
public enum SteeringPolicy: String, Hashable, Sendable, Codable, CaseIterable {
    /// The available site closest to the client (great-circle distance).
    case nearest
    /// Available sites share clients in proportion to their weights (active-active).
    case weighted
    /// The first available site in the service's order.
    case failover
    /// The available site with the lowest probe latency, as measured from the director nearest to
    /// the client.
    case latency
}

/// What a service answers when no site is available: an explicit, visible choice.
public enum AllDownBehaviour: Hashable, Sendable {
    /// Answer with every gateway of every site (except those forced down): better a chance than nothing.
    case failOpen
    /// Answer with nothing (DNS: no addresses; redirects: 503).
    case failClosed
    /// Send clients to a fixed target outside the steered sites.
    case fallback(FallbackTarget)

    /// The configuration keyword.
    public var keyword: String {
        switch self {
        case .failOpen: "fail-open"
        case .failClosed: "fail-closed"
        case .fallback: "fallback"
        }
    }
}

/// The target of the `fallback` all-down behaviour.
public struct FallbackTarget: Hashable, Sendable, Codable {
    /// Addresses answered in DNS.
    public var addresses: [IPAddress]
    /// Where the redirector sends clients.
    public var url: BaseURL?

    public init(addresses: [IPAddress], url: BaseURL? = nil) {
        self.addresses = addresses
        self.url = url
    }
}

/// How the HTTP redirector serves a service.
public struct RedirectSettings: Hashable, Sendable {
    /// The Host names that select this service.
    public var hosts: [DomainName]
    /// The status of redirects for GET and HEAD: 301, 302, 307 or 308.
    public var status: Int
    /// What other methods get: 307 or 308 (a redirect that replays the body) or 405.
    public var otherMethods: Int
    /// How long clients may cache a redirect, in seconds; `nil` means not at all (`no-store`).
    public var maxAge: UInt32?
    /// Each region's base URL.
    public var urls: [RegionName: BaseURL]
    /// The `max-age` of the `Strict-Transport-Security` header the HTTPS redirect listener sends,
    /// in seconds (`hsts`; `nil`: none). Never sent over plain HTTP, where browsers ignore it.
    public var hstsMaxAge: UInt32?

    public static let allowedStatus: Set<Int> = [301, 302, 307, 308]
    public static let allowedOtherMethods: Set<Int> = [307, 308, 405]

    public init(hosts: [DomainName], status: Int = 302, otherMethods: Int = 405, maxAge: UInt32? = nil,
                urls: [RegionName: BaseURL], hstsMaxAge: UInt32? = nil) {
        self.hosts = hosts
        self.hstsMaxAge = hstsMaxAge
        self.status = status
        self.otherMethods = otherMethods
        self.maxAge = maxAge
        self.urls = urls
    }
}
