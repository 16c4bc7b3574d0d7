/// When each gateway's state (up, unconfirmed, down, drained) last changed, as one director's
/// assessments show it: a pure record fed each new assessment. The first assessment sets the
/// states without a time: what a director finds at its start is not a change.
public struct GatewayChanges: Hashable, Sendable {
    private var states: [GatewayName: GatewayState] = [:]
    /// When each gateway last changed state since the first assessment.
    public private(set) var changedAt: [GatewayName: Timestamp] = [:]

    public init() {}

    /// Records the states of `assessment`, made at `now`.
    public mutating func update(_ assessment: Assessment, now: Timestamp) {
        var seen: [GatewayName: GatewayState] = [:]
        for status in assessment.sites.flatMap(\.gateways) {
            let name = status.gateway.name
            seen[name] = status.state
            if let before = states[name], before != status.state { changedAt[name] = now }
        }
        states = seen
        changedAt = changedAt.filter { seen[$0.key] != nil }
    }

    /// When the newest change of one of `gateways` happened, if any did.
    public func latest(of gateways: [Gateway]) -> Timestamp? {
        gateways.compactMap { changedAt[$0.name] }.max()
    }
}
