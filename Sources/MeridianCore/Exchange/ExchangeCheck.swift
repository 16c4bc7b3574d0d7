/// The rules a peer's frame keeps before anything in it is used (the exchange's `PeerReportCheck`):
///
/// 1. It was sent within `maximumSkew` of this director's clock.
/// 2. Every change is of a gateway or an override target of the configuration (a removal may name
///    any key), one per key.
/// 3. A latency is at most `PeerReportCheck.longestLatency` (a load's bound is in its encoding).
/// 4. An override write keeps what an operator's write keeps (`OverrideRules`) and is not set ahead
///    of the clock by more than `maximumSkew`.
///
/// A frame that breaks a rule is refused whole. Every change of a frame is the sender's own by
/// construction: a frame names no observer, and the receiver files it under its signer.
public struct ExchangeCheck: Sendable {
    public var configuration: Configuration
    public var maximumSkew: Duration
    private let gateways: Set<GatewayName>

    public init(configuration: Configuration, maximumSkew: Duration) {
        self.configuration = configuration
        self.maximumSkew = maximumSkew
        gateways = Set(configuration.gateways.map(\.name))
    }

    /// Why `frame` cannot be taken at `now`, or `nil`.
    public func refusal(of frame: ExchangeFrame, at now: Timestamp) -> PeerReportRefusal? {
        guard frame.sentAt - now <= maximumSkew, now - frame.sentAt <= maximumSkew else {
            return .init(.badTime, "the frame is dated \(frame.sentAt), more than \(maximumSkew.shortDescription) from this director's clock")
        }
        let changes: [ExchangeChange]
        switch frame.body {
        case .delta(let delta): changes = delta.changes
        case .snapshot(let snapshot): changes = snapshot.changes
        case .heartbeat, .request, .leaving: return nil
        }
        var seen = Set<ExchangeKey>()
        for change in changes {
            guard seen.insert(change.key).inserted else { return .init(.duplicate, "two changes of \(change.key)") }
            if let refusal = refusal(of: change, at: now) { return refusal }
        }
        return nil
    }

    private func refusal(of change: ExchangeChange, at now: Timestamp) -> PeerReportRefusal? {
        switch change {
        case .observation(let observation):
            guard gateways.contains(observation.gateway) else {
                return .init(.unknownGateway, "an observation of an unknown gateway '\(observation.gateway)'")
            }
            if let latency = observation.latency, latency.duration > PeerReportCheck.longestLatency {
                return .init(.badLatency, "the latency of \(observation.gateway) is over \(PeerReportCheck.longestLatency.shortDescription)")
            }
            return nil
        case .override(let write):
            let override = write.override
            if let problem = OverrideRules.problem(with: override.target, in: configuration)
                ?? OverrideRules.problem(reason: override.reason, author: override.author) {
                return .init(.badOverride, "the override write on \(override.target): \(problem)")
            }
            guard override.setAt <= now + maximumSkew else {
                return .init(.badTime, "the override write on \(override.target) is set at \(override.setAt), ahead of this director's clock")
            }
            return nil
        case .removed:
            // Removes at most what the replica holds, which passed these rules; a key this
            // configuration does not know (the sender's newer one dropped it) holds nothing.
            return nil
        }
    }
}

extension ExchangeKey: CustomStringConvertible {
    public var description: String {
        switch self {
        case .gateway(let gateway): "gateway \(gateway)"
        case .override(let target): "the override on \(target)"
        }
    }
}
