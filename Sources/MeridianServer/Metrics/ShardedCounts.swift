import NIOConcurrencyHelpers

/// Counts that can be added up: what one shard of `ShardedCounts` holds.
protocol AddableCounts: Sendable {
    init()
    mutating func add(_ other: Self)
}

/// Counts kept in shards, one per thread or event loop that answers (so its lock is contended by
/// nothing but a scrape), and added up when `/metrics` is read. The DNS and redirect planes both
/// count this way.
final class ShardedCounts<Counts: AddableCounts>: Sendable {
    /// One thread's or event loop's counts.
    final class Shard: Sendable {
        private let counts = NIOLockedValueBox(Counts())

        /// Changes the counts in place, under the shard's lock.
        func update(_ change: (inout Counts) -> Void) {
            counts.withLockedValue { change(&$0) }
        }

        /// Everything counted here so far.
        var total: Counts { counts.withLockedValue { $0 } }
    }

    private let shards = NIOLockedValueBox<[Shard]>([])

    init() {}

    /// A new shard for one thread or event loop.
    func makeShard() -> Shard {
        let shard = Shard()
        shards.withLockedValue { $0.append(shard) }
        return shard
    }

    /// Every shard's counts, added up.
    var total: Counts {
        var total = Counts()
        for shard in shards.withLockedValue({ $0 }) { total.add(shard.total) }
        return total
    }
}
