import MeridianCore

/// The body of `POST /v1/overrides`: a region or a gateway, what to do with it, why, who, and for
/// how long.
public struct OverrideRequest: Codable, Sendable {
    public var region: String?
    public var gateway: String?
    /// `down`, `drain`, `up` or `clear`.
    public var action: String
    public var reason: String?
    public var author: String?
    /// How long the override holds (`10m`, `2h`); without it, until cleared.
    public var `for`: String?

    public init(region: String? = nil, gateway: String? = nil, action: String, reason: String? = nil,
                author: String? = nil, for duration: String? = nil) {
        self.region = region
        self.gateway = gateway
        self.action = action
        self.reason = reason
        self.author = author
        self.for = duration
    }

    /// The write this request asks for, or why it cannot be made.
    public func write(in configuration: Configuration, at now: Timestamp) -> Result<OverrideTable.Write, RequestError> {
        let target: Override.Target
        switch (region, gateway) {
        case (let name?, nil):
            guard let region = RegionName(name) else { return .failure(RequestError("'\(name)' is not a region name")) }
            target = .region(region)
        case (nil, let name?):
            guard let gateway = GatewayName(name) else { return .failure(RequestError("'\(name)' is not a gateway name")) }
            target = .gateway(gateway)
        default:
            return .failure(RequestError("give exactly one of region and gateway"))
        }
        let author = (author?.isEmpty == false ? author : nil) ?? "unknown"
        let reason = (reason?.isEmpty == false ? reason : nil) ?? "no reason given"
        if let problem = OverrideRules.problem(with: target, in: configuration) ?? OverrideRules.problem(reason: reason, author: author) {
            return .failure(RequestError(problem))
        }
        if action == "clear" {
            return .success(.clear(target, reason: reason, author: author, at: now))
        }
        guard let kind = Override.Action(rawValue: action) else {
            return .failure(RequestError("action must be down, drain, up or clear, not '\(action)'"))
        }
        var expiry: Timestamp?
        if let text = self.for {
            guard let duration = Duration.parse(text), duration > .zero else {
                return .failure(RequestError("'\(text)' is not a duration (write e.g. 10m, 2h)"))
            }
            expiry = now + duration
        }
        return .success(OverrideTable.Write(Override(target: target, action: kind, reason: reason, author: author,
                                                     setAt: now, expiresAt: expiry)))
    }

    /// Why a request cannot be made.
    public struct RequestError: Error, Sendable {
        public var message: String
        init(_ message: String) { self.message = message }
    }
}
