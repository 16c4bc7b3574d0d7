#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import Synchronization

/// The keys that protect session tickets, newest first: the newest seals new tickets; it and up
/// to `kept` older ones open tickets. A new key takes over once the newest is `rotation` old, and
/// the oldest is then dropped; a key past `rotation × (kept + 1)` opens nothing. Pure: the time is
/// given, the new key made by the caller.
struct TicketKeyRing {
    /// One key: the name a ticket carries, its AES-256 and HMAC-SHA256 keys, and when it was made.
    struct Key: Equatable {
        static let nameSize = 16, secretSize = 32
        var name: [UInt8]
        var aes: [UInt8]
        var hmac: [UInt8]
        var made: Int64

        /// A key of fresh random bytes, made at `now`.
        static func random(at now: Int64) -> Key {
            var generator = SystemRandomNumberGenerator()
            func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in generator.next() } }
            return Key(name: bytes(nameSize), aes: bytes(secretSize), hmac: bytes(secretSize), made: now)
        }
    }

    /// Seconds before a new key takes over.
    let rotation: Int64
    /// How many older keys still open tickets.
    let kept: Int
    private(set) var keys: [Key] = []

    init(rotation: Int64, kept: Int) {
        self.rotation = rotation
        self.kept = kept
    }

    /// The key to seal a new ticket with at `now`; a new one (`make`) when none is, or the newest is due.
    mutating func sealing(at now: Int64, make: (Int64) -> Key = Key.random) -> Key {
        if keys.first.map({ now - $0.made >= rotation }) ?? true {
            keys.insert(make(now), at: 0)
            if keys.count > kept + 1 { keys.removeLast(keys.count - kept - 1) }
        }
        return keys[0]
    }

    /// The key named `name` at `now`; `nil` for a name no usable key has (the client then gets a
    /// full handshake).
    func opening(named name: UnsafeBufferPointer<UInt8>, at now: Int64) -> Key? {
        keys.first { $0.name.elementsEqual(name) && now - $0.made < rotation * Int64(kept + 1) }
    }
}

/// The session ticket keys of every HTTPS redirect context in the process (`TicketKeyRing`, a new
/// key each hour, tickets opened up to three hours), behind OpenSSL's ticket key callback: every
/// loop thread, every certificate and every context a reload makes seal and open tickets with the
/// same keys, so a client resumes whichever thread takes its connection, and across a reload.
/// Every resumption is given a new ticket: a TLS 1.3 client uses each ticket once (OpenSSL's
/// client does), so one that got none would make a full handshake every other connection.
enum TLSTicketKeys {
    static let ring = Mutex(TicketKeyRing(rotation: 3600, kept: 2))

    /// Installs the callback on `context` (`SSL_CTX *`).
    static func install(on context: OpaquePointer) {
        _ = SSL_CTX_set_tlsext_ticket_key_evp_cb(context, callback)
    }

    /// OpenSSL's callback: sealing (`encrypt` 1), fill the key name and IV and set up the cipher and
    /// MAC (1); opening, set them up for the named key (2: and issue a new ticket), or 0 for a
    /// name no usable key has. -1 on an OpenSSL failure.
    private static let callback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?,
                                                 OpaquePointer?, OpaquePointer?, Int32) -> Int32 = { _, name, iv, cipher, mac, encrypt in
        guard let name, let iv, let cipher, let mac else { return -1 }
        let now = monotonicSeconds()
        let ivSize = 16
        if encrypt == 1 {
            let key = ring.withLock { $0.sealing(at: now) }
            key.name.withUnsafeBufferPointer { name.update(from: $0.baseAddress!, count: TicketKeyRing.Key.nameSize) }
            guard RAND_bytes(iv, Int32(ivSize)) == 1 else { return -1 }
            return setUp(key, cipher: cipher, mac: mac, iv: iv, encrypt: true) ? 1 : -1
        }
        let named = UnsafeBufferPointer(start: name, count: TicketKeyRing.Key.nameSize)
        guard let key = ring.withLock({ $0.opening(named: named, at: now) }) else { return 0 }
        return setUp(key, cipher: cipher, mac: mac, iv: iv, encrypt: false) ? 2 : -1
    }

    private static func setUp(_ key: TicketKeyRing.Key, cipher: OpaquePointer, mac: OpaquePointer, iv: UnsafeMutablePointer<UInt8>,
                              encrypt: Bool) -> Bool {
        key.aes.withUnsafeBufferPointer { aes in
            key.hmac.withUnsafeBufferPointer { hmac in
                CMeridianTLS_ticket_cipher(cipher, mac, aes.baseAddress, hmac.baseAddress, iv, encrypt ? 1 : 0) == 1
            }
        }
    }

    private static func monotonicSeconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &now)
        return Int64(now.tv_sec)
    }
}
