import Crypto
import Foundation
import MeridianCore
import NIOConcurrencyHelpers

/// Signs and checks peer messages: HMAC-SHA256 with the shared secret over the sender, a timestamp
/// and the body. A message is accepted only when its signature is right (compared in constant
/// time), its timestamp is within `maximumSkew` of the receiver's clock, and it is newer than the
/// last message accepted from the same sender, so a captured message cannot be replayed.
///
/// An answer to a signed request (a peer's report asked for at start, a configuration for a
/// joining director) is signed in reply to it: the request's signature is part of what the answer's
/// signature covers, so an answer fits only the request it was made for and cannot be replayed to
/// another one.
public final class PeerAuthentication: Sendable {
    /// The headers a signed message carries.
    public enum Header {
        public static let sender = "X-Meridian-Peer"
        public static let timestamp = "X-Meridian-Timestamp"
        public static let signature = "X-Meridian-Signature"
    }

    /// Why a message was refused.
    public enum Refusal: String, Error, Sendable, CaseIterable {
        case unsigned
        case badSignature = "bad-signature"
        case stale
        case replayed
        case unknownPeer = "unknown-peer"
        case malformed
        /// A body larger than the configuration can need (`PeerReportCheck.largestBody`).
        case tooLarge = "too-large"
    }

    private let secret: PeerSecret
    /// How far a message's time may be from the receiver's clock.
    let maximumSkew: Duration
    private let lastAccepted = NIOLockedValueBox<[RegionName: Int64]>([:])

    public init(secret: PeerSecret, maximumSkew: Duration = .seconds(30)) {
        self.secret = secret
        self.maximumSkew = maximumSkew
    }

    /// The headers that sign `body` from `sender` at `now`; `request` is the signature of the
    /// request this message answers, if it answers one.
    public func sign(_ body: Data, from sender: RegionName, at now: Timestamp, inReplyTo request: String? = nil) -> [(String, String)] {
        let timestamp = String(now.nanosecondsSinceEpoch / 1_000)
        return [(Header.sender, sender.rawValue), (Header.timestamp, timestamp),
                (Header.signature, Self.hex(mac(body, sender: sender.rawValue, timestamp: timestamp, inReplyTo: request)))]
    }

    /// The signature among headers made by `sign`: what an answer to that message is signed in reply to.
    static func signature(in headers: [(String, String)]) -> String? {
        headers.first { $0.0 == Header.signature }?.1
    }

    /// A message's signing headers, checked before its body is read (`screen`).
    public struct SignedHeaders: Sendable {
        public var sender: RegionName
        /// The time as it was signed (microseconds since the epoch, in decimal).
        var timestamp: String
        var microseconds: Int64
        var signature: [UInt8]
    }

    /// Checks what can be checked of a message before its body is read: every header present, the
    /// sender one of `known` (the regions whose directors may send), the time a number within
    /// `maximumSkew` of `now` and (for a message that answers none) later than the last one
    /// accepted from the sender, the signature well-formed.
    public func screen(sender: String?, timestamp: String?, signature: String?, known: Set<RegionName>,
                       now: Timestamp, answering: Bool = false) -> Result<SignedHeaders, Refusal> {
        guard let sender, let timestamp, let signature else { return .failure(.unsigned) }
        guard let name = RegionName(sender), known.contains(name) else { return .failure(.unknownPeer) }
        guard timestamp.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let microseconds = Int64(timestamp) else {
            return .failure(.malformed)
        }
        let sent = Timestamp(microsecondsSinceEpoch: microseconds)
        guard now - sent <= maximumSkew, sent - now <= maximumSkew else { return .failure(.stale) }
        guard let bytes = Self.bytes(hex: signature), bytes.count == SHA256.byteCount else { return .failure(.badSignature) }
        if !answering, let previous = lastAccepted.withLockedValue({ $0[name] }), previous >= microseconds {
            return .failure(.replayed)
        }
        return .success(SignedHeaders(sender: name, timestamp: timestamp, microseconds: microseconds, signature: bytes))
    }

    /// Checks the signature of a message whose headers `screen` passed; returns its sender, or why
    /// it is refused. An answer is checked against the signature of the request it answers
    /// (`inReplyTo`), which makes it single-use; it does not move the sender's replay mark, so
    /// the sender's own messages signed just before it still count.
    public func verify(_ body: Data, _ headers: SignedHeaders, inReplyTo request: String? = nil) -> Result<RegionName, Refusal> {
        let actual = mac(body, sender: headers.sender.rawValue, timestamp: headers.timestamp, inReplyTo: request)
        guard Self.constantTimeEqual(actual, headers.signature) else { return .failure(.badSignature) }
        if request != nil { return .success(headers.sender) }
        let accepted = lastAccepted.withLockedValue { last -> Bool in
            if let previous = last[headers.sender], previous >= headers.microseconds { return false }
            last[headers.sender] = headers.microseconds
            return true
        }
        return accepted ? .success(headers.sender) : .failure(.replayed)
    }

    /// `screen` and `verify` at once, for a message whose body is already at hand.
    public func verify(_ body: Data, sender: String?, timestamp: String?, signature: String?, known: Set<RegionName>,
                       now: Timestamp, inReplyTo request: String? = nil) -> Result<RegionName, Refusal> {
        screen(sender: sender, timestamp: timestamp, signature: signature, known: known, now: now, answering: request != nil)
            .flatMap { verify(body, $0, inReplyTo: request) }
    }

    private func mac(_ body: Data, sender: String, timestamp: String, inReplyTo request: String?) -> [UInt8] {
        var hmac = HMAC<SHA256>(key: secret.key)
        hmac.update(data: Data("meridian-peer-v1\n\(sender)\n\(timestamp)\n".utf8))
        if let request { hmac.update(data: Data("reply-to \(request)\n".utf8)) }
        hmac.update(data: body)
        return Array(hmac.finalize())
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0, digits.count <= 2 * SHA256.byteCount else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        case 0x41...0x46: digit - 0x41 + 10
        default: nil
        }
    }
}
