import MeridianCore
import MeridianHTTP
import NIOConcurrencyHelpers

/// What the redirect listener answers with: the responder prebuilt from the latest steering
/// snapshot, replaced as a whole when a decision input changes, plus the counters.
public final class RedirectAnswering: Sendable {
    private let responder: NIOLockedValueBox<RedirectResponder>
    public let statistics = RedirectStatistics()

    init(snapshot: SteeringSnapshot) {
        responder = NIOLockedValueBox(RedirectResponder(snapshot: snapshot))
    }

    func update(snapshot: SteeringSnapshot) {
        let next = RedirectResponder(snapshot: snapshot)
        responder.withLockedValue { $0 = next }
    }

    /// The responder in force, read once per batch of requests.
    var current: RedirectResponder { responder.withLockedValue { $0 } }
}
