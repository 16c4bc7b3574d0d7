import MeridianCore

/// A key roll as times in the keys (`meridian dnssec roll`): a new key published now and active
/// after `wait`; the active keys retired from signing then and removed `removeAfter` later. Every
/// director follows the times by itself (`ZoneSigner` reads the keys' states at each moment).
public struct ZoneKeyRoll: Sendable {
    /// The keys as they are to be written: the old ones with their new times, and the new one.
    public var retired: [ZoneKey]
    public var next: ZoneKey
    public var switchAt: Timestamp
    public var removeAt: Timestamp

    /// Why a roll cannot start.
    public enum Refusal: Error, Sendable, CustomStringConvertible {
        /// A key waits to be activated or retired.
        case underWay
        case noActiveKey

        public var description: String {
            switch self {
            case .underWay: "a roll is under way (a key waits to be activated or retired): let it finish first"
            case .noActiveKey: "no key is active now"
            }
        }
    }

    public init(keys: [ZoneKey], now: Timestamp, wait: Duration, removeAfter: Duration) throws(Refusal) {
        if keys.contains(where: { key in key.activate.map { $0 > now } ?? false || key.inactive.map { $0 > now } ?? false }) {
            throw .underWay
        }
        let active = keys.filter { $0.isActive(at: now) }
        guard let current = active.first else { throw .noActiveKey }
        let switchAt = now + wait, removeAt = now + wait + removeAfter
        var next = ZoneKey.generate(current.algorithm, flags: current.flags, now: now)
        next.activate = switchAt
        retired = active.map { key in
            var key = key
            key.inactive = switchAt
            key.delete = removeAt
            return key
        }
        self.next = next
        self.switchAt = switchAt
        self.removeAt = removeAt
    }
}
