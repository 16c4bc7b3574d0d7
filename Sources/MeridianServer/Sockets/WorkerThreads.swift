import CMeridianSockets
import Foundation
import NIOConcurrencyHelpers

/// Plain threads that each run a loop until asked to stop: the DNS and redirect listeners' workers.
/// A loop checks `isStopping` at least every few hundred milliseconds (its receive or wait timeout).
final class WorkerThreads: Sendable {
    private let stopping = NIOLockedValueBox(false)
    private let finished = DispatchGroup()

    /// Whether `stop()` has been called.
    var isStopping: Bool { stopping.withLockedValue { $0 } }

    /// Starts a thread named `name` (at most 15 characters) running `loop`.
    func start(name: String, _ loop: @escaping @Sendable () -> Void) {
        finished.enter()
        let thread = Thread { [finished] in
            CMeridian_setThreadName(name)
            loop()
            finished.leave()
        }
        thread.start()
    }

    /// Asks every loop to stop and waits until all have returned.
    func stop() async {
        stopping.withLockedValue { $0 = true }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            finished.notify(queue: .global()) { continuation.resume() }
        }
    }
}
