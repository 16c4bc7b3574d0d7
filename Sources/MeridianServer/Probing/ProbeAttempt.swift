import MeridianCore

/// The result of one probe as the scheduler needs it.
struct ProbeAttempt: Sendable {
    var outcome: ProbeOutcome
    /// The operating system said plainly that nothing is there (connection refused or reset, or the
    /// gateway closed the connection): no need to wait for a timeout to believe it, so the scheduler
    /// checks again at once.
    var definitive: Bool
}
