import Logging
import MeridianCore
import NIOConcurrencyHelpers

/// Writes what the state folder keeps besides the overrides (`OverrideKeeper` saves those): the
/// director's observations, when a verdict changed since the last write, and the peers' replay marks.
/// A failing write is tried again at the next call (every second for observations) and logged at
/// most once a minute per kind of file, so a full disk or a spent descriptor table does not flood the log.
final class StateSaver: Sendable {
    private let store: StateStore
    private let logger: Logger
    /// The verdicts of the last observations written.
    private let savedVerdicts = NIOLockedValueBox<[GatewayName: Verdict]>([:])
    private let savingMarks = NIOLock()
    /// When a failure of each kind of write was last logged.
    private let failuresLogged = NIOLockedValueBox<[String: Timestamp]>([:])

    /// How often a failing kind of write is logged at most.
    static let failureLogInterval: Duration = .seconds(60)

    init(store: StateStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Writes the replay marks `authentication` holds, so that a message captured before a restart
    /// cannot be replayed after it. Saves are serialized, each reading the marks inside the lock, so
    /// an older set is never written last.
    func savePeerMarks(of authentication: PeerAuthentication) {
        savingMarks.withLock {
            do {
                try store.save { authentication.marks }
            } catch {
                logFailure("cannot save the peers' replay marks", error)
            }
        }
    }

    /// Writes `observations` (read when the write is made) when their verdicts differ from the
    /// last ones written.
    func saveObservationsIfChanged(_ observations: () -> [Observation]) {
        do {
            try store.save(observations: { () -> [Observation]? in
                let current = observations()
                let verdicts = Dictionary(current.map { ($0.gateway, $0.verdict) }, uniquingKeysWith: { first, _ in first })
                return savedVerdicts.withLockedValue { saved in
                    guard saved != verdicts else { return nil }
                    saved = verdicts
                    return current
                }
            })
        } catch {
            // Written again at the next call.
            savedVerdicts.withLockedValue { $0 = [:] }
            logFailure("cannot save observations", error)
        }
    }

    private func logFailure(_ message: String, _ error: any Error, at now: Timestamp = .now) {
        let due = failuresLogged.withLockedValue { logged -> Bool in
            if let last = logged[message], now - last < Self.failureLogInterval { return false }
            logged[message] = now
            return true
        }
        guard due else { return }
        logger.error("\(message) (tried again each time; logged at most once a minute)", metadata: ["error": "\(error)"])
    }
}
