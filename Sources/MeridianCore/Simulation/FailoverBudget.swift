/// The worst-case time until a service's clients leave a failed site, as a sum of its terms: the
/// slowest of its gateways' detection (`interval × fall`) and last probe's `timeout`, the exchange's
/// propagation of the verdict to the other directors, the answers' `ttl`, and what resolvers that
/// raise short TTLs to a floor add beyond it. `meridian check --slo` compares it with each
/// service's `slo`.
public struct FailoverBudget: Codable, Sendable, Equatable {
    /// One term of the sum.
    public struct Term: Codable, Sendable, Equatable {
        public var name: String
        public var seconds: Double
        public var detail: String
    }

    public var service: String
    public var terms: [Term]
    /// The sum of the terms.
    public var seconds: Double
    /// The service's objective (its `slo`, else the one given), if any.
    public var sloSeconds: Double?

    /// Whether the worst case is over the objective.
    public var isOver: Bool { sloSeconds.map { seconds > $0 } ?? false }

    /// The term that costs most (the first of equals).
    public var largest: Term? {
        terms.reduce(nil) { best, term in best.map { term.seconds > $0.seconds ? term : $0 } ?? term }
    }

    /// How long the exchange gathers verdict changes before it sends them.
    public static let exchangeGathering = Duration.milliseconds(10)

    /// The budget of `service`: `slo` is the objective when the service has none of its own;
    /// `resolverFloor` the shortest TTL resolvers keep an answer for.
    public init(_ service: Service, in configuration: Configuration, resolverFloor: Duration = .zero, slo: Duration? = nil) {
        let gateways = service.regions.compactMap { configuration.region($0) }.flatMap(\.gateways)
        let slowest = gateways.max { $0.probe.worstCaseDetection < $1.probe.worstCaseDetection }
        var terms: [Term] = []
        if let slowest {
            let probe = slowest.probe
            terms.append(Term(name: "detection", seconds: (probe.interval * probe.fall).seconds,
                              detail: "probe every \(probe.interval.shortDescription) x fall \(probe.fall) (\(slowest.name))"))
            terms.append(Term(name: "timeout", seconds: probe.timeout.seconds,
                              detail: "the last probe's timeout \(probe.timeout.shortDescription)"))
        }
        if configuration.directors.count > 1 {
            // A verdict goes out after the gathering; a frame lost on the way is asked for again and
            // resent within a heartbeat interval: the shortest probe interval.
            let heartbeat = configuration.gateways.map(\.probe.interval).min() ?? .seconds(1)
            terms.append(Term(name: "propagation", seconds: (Self.exchangeGathering + heartbeat).seconds,
                              detail: "the exchange's gathering \(Self.exchangeGathering.shortDescription) + a resend within \(heartbeat.shortDescription)"))
        }
        terms.append(Term(name: "ttl", seconds: Double(service.ttl), detail: "the answers' ttl \(service.ttl)s"))
        let floor = max(resolverFloor.seconds - Double(service.ttl), 0)
        terms.append(Term(name: "resolver floor", seconds: floor,
                          detail: "resolvers keep answers at least \(resolverFloor.shortDescription)"))
        self.service = service.name.rawValue
        self.terms = terms
        seconds = terms.map(\.seconds).reduce(0, +)
        sloSeconds = (service.slo ?? slo)?.seconds
    }

    /// The sum in words: "47.01s = detection 15s + timeout 2s + propagation 1.01s + ttl 30s + resolver floor 0s".
    public var text: String {
        "\(Self.text(seconds: seconds)) = " + terms.map { "\($0.name) \(Self.text(seconds: $0.seconds))" }.joined(separator: " + ")
    }

    /// Seconds for people: `1.01s`.
    public static func text(seconds value: Double) -> String {
        "\(value.formatted)s"
    }
}
