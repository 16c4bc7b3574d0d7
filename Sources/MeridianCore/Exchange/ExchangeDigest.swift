/// An order-independent 64-bit digest of a director's state: the wrapping sum of a hash of each
/// value's encoding (FNV-1a, then a mixing step). Values are added and removed one at a time, so
/// sender and receiver keep it as they apply changes, and two states with the same values have the
/// same digest whatever order they were built in. It finds a replica that drifted; it is no
/// defence against a peer that lies (a peer can only lie about its own state anyway).
public struct ExchangeDigest: Hashable, Sendable {
    public private(set) var value: UInt64 = 0

    public init() {}

    mutating func add(_ change: ExchangeChange) {
        value &+= Self.hash(change)
    }

    mutating func remove(_ change: ExchangeChange) {
        value &-= Self.hash(change)
    }

    static func hash(_ change: ExchangeChange) -> UInt64 {
        var writer = ExchangeWriter()
        writer.change(change)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in writer.bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        // SplitMix64's finalizer: FNV's low bits alone would sum poorly.
        hash = (hash ^ (hash >> 30)) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ (hash >> 27)) &* 0x94D0_49BB_1331_11EB
        return hash ^ (hash >> 31)
    }
}
