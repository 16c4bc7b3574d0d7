import Testing
@testable import MeridianServer

/// The session ticket keys' rotation, at given times.
struct TicketKeyRingTests {
    static func key(_ byte: UInt8, at now: Int64) -> TicketKeyRing.Key {
        TicketKeyRing.Key(name: Array(repeating: byte, count: 16), aes: Array(repeating: byte, count: 32),
                          hmac: Array(repeating: byte, count: 32), made: now)
    }

    func open(_ ring: TicketKeyRing, _ key: TicketKeyRing.Key, at now: Int64) -> TicketKeyRing.Key? {
        key.name.withUnsafeBufferPointer { ring.opening(named: $0, at: now) }
    }

    @Test("the newest key seals until it is due; older ones still open; the oldest is dropped; an unknown name opens nothing")
    func rotation() {
        var ring = TicketKeyRing(rotation: 100, kept: 2)
        var made: UInt8 = 0
        func make(_ now: Int64) -> TicketKeyRing.Key {
            made += 1
            return Self.key(made, at: now)
        }
        let first = ring.sealing(at: 0, make: make)
        #expect(ring.sealing(at: 99, make: make) == first, "not due yet")
        #expect(open(ring, first, at: 50) == first)
        let second = ring.sealing(at: 100, make: make)
        #expect(second != first && ring.keys.count == 2)
        #expect(open(ring, first, at: 150) == first, "an older key still opens")
        let third = ring.sealing(at: 200, make: make)
        _ = ring.sealing(at: 300, make: make)
        #expect(ring.keys.count == 3, "the newest and two older")
        #expect(open(ring, first, at: 300) == nil, "the oldest is dropped")
        #expect(open(ring, second, at: 300) == second)
        #expect(open(ring, third, at: 300) == third)
        #expect(open(ring, Self.key(0xEE, at: 0), at: 300) == nil)
    }

    @Test("with no handshake for long, the newest key opens nothing once past its whole lifetime")
    func idleRing() {
        var ring = TicketKeyRing(rotation: 100, kept: 2)
        let only = ring.sealing(at: 0) { Self.key(1, at: $0) }
        #expect(open(ring, only, at: 299) == only)
        #expect(open(ring, only, at: 300) == nil, "rotation × (kept + 1) old")
    }
}
