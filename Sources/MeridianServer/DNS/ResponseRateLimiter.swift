#if canImport(Glibc)
import Glibc
#endif
import MeridianCore
import Synchronization

/// The counting behind `ResponseRateLimit`, shared by every UDP thread without a lock: a fixed table
/// of slots, each holding one second and the answers counted in it for the client networks that hash
/// there (with a seed drawn at start, so a sender cannot choose whose slot it shares). Reads and writes
/// are relaxed atomics; two threads counting in one slot at once may lose a count, which lets at most
/// one answer more through. Memory is the table's, whatever the number of sources.
///
/// `@unchecked Sendable`: the table is allocated once, never reallocated, and every slot is an atomic.
public final class ResponseRateLimiter: @unchecked Sendable {
    private static let slotCount = 1 << 16
    private let slots: UnsafeMutablePointer<Atomic<UInt64>>
    private let seed = UInt64.random(in: .min ... .max)
    private let slipped = Atomic<UInt64>(0)
    private let dropped = Atomic<UInt64>(0)

    public init() {
        slots = .allocate(capacity: Self.slotCount)
        for index in 0..<Self.slotCount { (slots + index).initialize(to: Atomic(0)) }
    }

    deinit {
        slots.deinitialize(count: Self.slotCount)
        slots.deallocate()
    }

    /// What to do with one more answer to `client` in `second` (a monotonic count of seconds), under
    /// `limit`; counted in `/metrics` when it is limited.
    func action(for client: IPAddress, second: UInt32, limit: ResponseRateLimit) -> ResponseRateLimit.Action {
        guard limit.isOn, let network = limit.network(of: client) else { return .answer }
        let slot = slots + Int(truncatingIfNeeded: Self.hash(network, seed: seed) & UInt64(Self.slotCount - 1))
        let packed = slot.pointee.load(ordering: .relaxed)
        let count = UInt32(truncatingIfNeeded: packed >> 32) == second ? UInt32(truncatingIfNeeded: packed) : 0
        let number = count == .max ? count : count + 1
        slot.pointee.store(UInt64(second) << 32 | UInt64(number), ordering: .relaxed)
        let action = limit.action(forAnswer: number)
        switch action {
        case .answer: break
        case .slip: slipped.add(1, ordering: .relaxed)
        case .drop: dropped.add(1, ordering: .relaxed)
        }
        return action
    }

    /// The current second of the monotonic clock, for `action(for:second:limit:)`; read once per batch.
    static func currentSecond() -> UInt32 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return UInt32(truncatingIfNeeded: now.tv_sec)
    }

    /// A slot index source for a network: its bits and length, mixed with the seed (splitmix64's finaliser).
    private static func hash(_ network: IPPrefix, seed: UInt64) -> UInt64 {
        var value: UInt64
        switch network.address {
        case .v4(let bits): value = UInt64(bits) ^ 0x4_0000_0000
        case .v6(let bits): value = UInt64(truncatingIfNeeded: bits >> 64) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: bits)
        }
        value ^= seed &+ UInt64(network.length)
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Writes the family of the limited answers.
    func write(to writer: inout PrometheusTextWriter) {
        writer.family(.dnsRateLimited)
        writer.sample(.dnsRateLimited, ["action": "slipped"], slipped.load(ordering: .relaxed))
        writer.sample(.dnsRateLimited, ["action": "dropped"], dropped.load(ordering: .relaxed))
    }
}
