import Foundation
import MeridianCore

extension Timestamp {
    /// The current wall-clock time. Only the server reads the clock; the decision engine is handed it.
    public static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }
}
