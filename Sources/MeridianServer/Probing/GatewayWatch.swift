import NIOCore

/// What a prober does when the gateway closes the connection it keeps open between probes: a value
/// that takes events and returns the action, so the rule is tested without sockets.
///
/// A connection that had been open a while may have been closed because the gateway went away or
/// only because it closes idle connections: a new connection tells which (`reconnect`; a refusal
/// then makes a probe). One closed as soon as it was opened most likely belongs to a gateway going
/// away, which closes its connections a moment before its listener (a killed process does): a probe
/// at once (`probe`), but only once per successful probe, so that a gateway that closes every idle
/// connection at once costs one probe more per interval rather than a loop (`wait`).
struct GatewayWatch {
    /// What the prober does.
    enum Action: Equatable {
        case reconnect
        case probe
        case wait
    }

    /// A connection closed sooner than this after it was opened counts as closed at once.
    let youngAge: TimeAmount
    private var probedSinceSuccess = false

    init(youngAge: TimeAmount) {
        self.youngAge = youngAge
    }

    /// The gateway closed the idle connection, `age` after it was opened.
    mutating func closed(age: TimeAmount) -> Action {
        if age >= youngAge { return .reconnect }
        guard !probedSinceSuccess else { return .wait }
        probedSinceSuccess = true
        return .probe
    }

    /// A probe succeeded.
    mutating func probeSucceeded() {
        probedSinceSuccess = false
    }
}
