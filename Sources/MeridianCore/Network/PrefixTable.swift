/// A longest-prefix-match table from IP prefixes to values.
///
/// Prefixes are flattened at construction into sorted, disjoint address ranges, each owned by the
/// most specific prefix that covers it, so a lookup is one binary search over a contiguous array:
/// O(log n) with no allocation. IPv4-mapped IPv6 addresses are looked up as IPv4.
public struct PrefixTable<Value: Sendable>: Sendable {
    private let entries: [(prefix: IPPrefix, value: Value)]
    private let v4: RangeIndex<UInt32>
    private let v6: RangeIndex<UInt128>

    /// Builds the table. When the same prefix appears more than once, the last one wins.
    public init(_ entries: [(prefix: IPPrefix, value: Value)]) {
        var lastIndex: [IPPrefix: Int] = [:]
        for (index, entry) in entries.enumerated() { lastIndex[entry.prefix] = index }
        let kept = entries.indices.filter { lastIndex[entries[$0].prefix] == $0 }.map { entries[$0] }
        self.entries = kept

        var v4Ranges: [(start: UInt32, end: UInt32, owner: Int32)] = []
        var v6Ranges: [(start: UInt128, end: UInt128, owner: Int32)] = []
        for (index, entry) in kept.enumerated() {
            switch entry.prefix.address {
            case .v4(let start):
                let end = entry.prefix.length == 0 ? UInt32.max : start | (UInt32.max >> entry.prefix.length)
                v4Ranges.append((start, end, Int32(index)))
            case .v6(let start):
                let end = entry.prefix.length == 0 ? UInt128.max : start | (UInt128.max >> entry.prefix.length)
                v6Ranges.append((start, end, Int32(index)))
            }
        }
        v4 = RangeIndex(nestedRanges: v4Ranges)
        v6 = RangeIndex(nestedRanges: v6Ranges)
    }

    /// The number of prefixes in the table.
    public var count: Int { entries.count }

    /// The most specific prefix containing `address`, with its value; `nil` when none does.
    public func lookup(_ address: IPAddress) -> (prefix: IPPrefix, value: Value)? {
        let owner: Int32?
        switch address.unmapped {
        case .v4(let bits): owner = v4.owner(of: bits)
        case .v6(let bits): owner = v6.owner(of: bits)
        }
        return owner.map { entries[Int($0)] }
    }
}

/// Disjoint, sorted ranges of integers, each with the index of the prefix that owns it.
struct RangeIndex<Key: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    private var starts: [Key] = []
    private var ends: [Key] = []
    private var owners: [Int32] = []

    /// Flattens ranges that are pairwise nested or disjoint (as CIDR prefixes are) so that every key
    /// maps to the innermost range containing it.
    init(nestedRanges: [(start: Key, end: Key, owner: Int32)]) {
        let sorted = nestedRanges.sorted { ($0.start, $1.end) < ($1.start, $0.end) }
        var open: [(start: Key, end: Key, owner: Int32)] = []
        var cursor: Key = 0
        var cursorPastEnd = false

        func closeRangesEnding(before limit: Key?) {
            while let top = open.last, limit.map({ top.end < $0 }) ?? true {
                if !cursorPastEnd && cursor <= top.end { append(cursor, top.end, top.owner) }
                if top.end == Key.max { cursorPastEnd = true } else { cursor = top.end + 1 }
                open.removeLast()
            }
        }
        for range in sorted {
            closeRangesEnding(before: range.start)
            if let top = open.last, !cursorPastEnd, cursor < range.start {
                append(cursor, range.start - 1, top.owner)
            }
            open.append(range)
            cursor = range.start
            cursorPastEnd = false
        }
        closeRangesEnding(before: nil)
    }

    private mutating func append(_ start: Key, _ end: Key, _ owner: Int32) {
        starts.append(start)
        ends.append(end)
        owners.append(owner)
    }

    /// The owner of the range containing `key`, if any.
    func owner(of key: Key) -> Int32? {
        starts.withUnsafeBufferPointer { starts in
            // Branch-free binary search for the last range whose start is <= key: the loop runs
            // log2(count) times whatever the key, and the comparison becomes a conditional move.
            guard let first = starts.first, first <= key else { return nil }
            var base = 0
            var length = starts.count
            while length > 1 {
                let half = length >> 1
                base = starts[base + half] <= key ? base + half : base
                length -= half
            }
            return key <= ends[base] ? owners[base] : nil
        }
    }
}
