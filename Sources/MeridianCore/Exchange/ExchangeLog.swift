/// A director's own state as its peers are told it: one value per key, each numbered by the change
/// that set it (`sequence` is the newest number). Changes after any number from `floor` on can be
/// told as a delta; a removal is kept as a tombstone so that it can be told too, until tombstones
/// outnumber the values and are dropped, which moves `floor` up (a peer further behind gets a
/// snapshot).
struct ExchangeLog: Sendable {
    private struct Entry: Sendable {
        var change: ExchangeChange
        var sequence: UInt64
    }

    private(set) var sequence: UInt64 = 0
    private(set) var floor: UInt64 = 0
    /// The digest of the values (not the tombstones).
    private(set) var digest = ExchangeDigest()
    private var entries: [ExchangeKey: Entry] = [:]
    /// The keys in the order of their numbers; a key appears again each time it changes, and only
    /// its newest place counts.
    private var order: [(sequence: UInt64, key: ExchangeKey)] = []
    private var tombstones = 0

    /// The value held under `key` (`nil` when none, or removed).
    func value(for key: ExchangeKey) -> ExchangeChange? {
        guard let change = entries[key]?.change, !change.isRemoval else { return nil }
        return change
    }

    /// Every key that holds a value.
    var keys: [ExchangeKey] {
        entries.compactMap { $0.value.change.isRemoval ? nil : $0.key }
    }

    /// Numbers `change` as the next change, unless the key holds that already (or, for a removal,
    /// holds nothing); returns whether it was numbered.
    @discardableResult
    mutating func publish(_ change: ExchangeChange) -> Bool {
        let key = change.key
        let previous = entries[key]?.change
        if change.isRemoval, previous == nil || previous?.isRemoval == true { return false }
        guard previous != change else { return false }
        if let previous, !previous.isRemoval { digest.remove(previous) }
        if previous?.isRemoval == true { tombstones -= 1 }
        if change.isRemoval { tombstones += 1 } else { digest.add(change) }
        sequence += 1
        entries[key] = Entry(change: change, sequence: sequence)
        order.append((sequence: sequence, key: key))
        compact()
        return true
    }

    /// The newest value of every key changed after `since` (removals included), in the order they
    /// were numbered. `since` must be at least `floor`.
    func changes(after since: UInt64) -> [ExchangeChange] {
        var low = 0, high = order.count
        while low < high {
            let middle = (low + high) / 2
            if order[middle].sequence <= since { low = middle + 1 } else { high = middle }
        }
        return order[low...].compactMap { place -> ExchangeChange? in
            guard let entry = entries[place.key], entry.sequence == place.sequence else { return nil }
            return entry.change
        }
    }

    /// Every value, in the order they were numbered.
    var snapshot: [ExchangeChange] {
        changes(after: 0).filter { !$0.isRemoval }
    }

    private mutating func compact() {
        let live = entries.count - tombstones
        if tombstones > live + 64 {
            entries = entries.filter { !$0.value.change.isRemoval }
            tombstones = 0
            floor = sequence
        }
        if order.count > 2 * entries.count + 64 {
            order = entries.map { (sequence: $0.value.sequence, key: $0.key) }.sorted { $0.sequence < $1.sequence }
        }
    }
}

extension ExchangeChange {
    var isRemoval: Bool {
        if case .removed = self { return true }
        return false
    }
}
