import Crypto
import Foundation
import MeridianCore
import NIOConcurrencyHelpers

/// Signs and checks peer messages: each director signs with its own Ed25519 key, over the method,
/// the path, the receiver, the sender, a timestamp and the body, and its peers check the signature
/// with the public key their configuration names for it (`director.key`). A message is accepted
/// only when its signature is right for its sender's key, its timestamp is within `maximumSkew` of
/// the receiver's clock, and it is newer than the last message accepted from the same sender, so a
/// captured message cannot be replayed (the marks are kept in the state folder, so not after a
/// restart either). A director can therefore speak only as itself, and only to the receiver it
/// signed for.
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

    /// What a signature is over, besides the body and the time.
    public struct Envelope: Sendable {
        public var method: String
        public var path: String
        public var sender: DirectorName
        /// `nil` for a director that does not know yet whom it asks (`serve --join`).
        public var receiver: DirectorName?

        public init(method: String, path: String, from sender: DirectorName, to receiver: DirectorName?) {
            self.method = method
            self.path = path
            self.sender = sender
            self.receiver = receiver
        }
    }

    let key: DirectorSigningKey
    private let keyring: PeerKeyring
    /// How far a message's time may be from the receiver's clock.
    let maximumSkew: Duration
    private let lastAccepted: NIOLockedValueBox<[DirectorName: Int64]>

    /// Signs with `credentials`' key and checks with its keyring; `marks` are the last accepted
    /// times per sender (microseconds), as the state folder kept them. A mark later than `now` plus
    /// the skew cannot come from an accepted message (a poisoned file): it is dropped, or it would
    /// refuse every later message of its sender.
    public init(credentials: PeerCredentials, marks: [DirectorName: Int64] = [:], at now: Timestamp = .now,
                maximumSkew: Duration = .seconds(30)) {
        self.key = credentials.key
        self.keyring = credentials.keyring
        self.maximumSkew = maximumSkew
        self.lastAccepted = NIOLockedValueBox(marks.filter { Timestamp(microsecondsSinceEpoch: $0.value) <= now + maximumSkew })
    }

    /// The public key of the director at `endpoints` under this director's keyring, if it has one.
    func publicKey(of endpoints: DirectorEndpoints) -> DirectorKey? {
        keyring.key(of: endpoints)
    }

    /// The last accepted time per sender (microseconds since the epoch), to keep across restarts.
    var marks: [DirectorName: Int64] { lastAccepted.withLockedValue { $0 } }

    /// The headers that sign `body` sent as `envelope` at `now`; `request` is the signature of the
    /// request this message answers, if it answers one.
    public func sign(_ body: Data, _ envelope: Envelope, at now: Timestamp, inReplyTo request: String? = nil) -> [(String, String)] {
        let timestamp = String(now.nanosecondsSinceEpoch / 1_000)
        let signature = key.signature(for: Self.signed(body, envelope, timestamp: timestamp, inReplyTo: request))
        return [(Header.sender, envelope.sender.rawValue), (Header.timestamp, timestamp), (Header.signature, Self.hex(signature))]
    }

    /// The signature among headers made by `sign`: what an answer to that message is signed in reply to.
    static func signature(in headers: [(String, String)]) -> String? {
        UncheckedHeaders(headers).signature
    }

    /// A message's signing headers, checked before its body is read (`screen`).
    public struct SignedHeaders: Sendable {
        public var sender: DirectorName
        /// The time as it was signed (microseconds since the epoch, in decimal).
        var timestamp: String
        var microseconds: Int64
        var signature: [UInt8]
        var key: DirectorKey
    }

    /// Checks what can be checked of a message before its body is read: every header present, the
    /// sender one of `known` (the directors that may send) with a public key under
    /// `configuration`, the time a number within `maximumSkew` of `now` and (for a message that
    /// answers none) later than the last one accepted from the sender, the signature well-formed.
    public func screen(_ headers: UncheckedHeaders, known: Set<DirectorName>, configuration: Configuration, now: Timestamp,
                       answering: Bool = false) -> Result<SignedHeaders, Refusal> {
        guard let sender = headers.sender, let timestamp = headers.timestamp, let signature = headers.signature else {
            return .failure(.unsigned)
        }
        guard let name = DirectorName(sender), known.contains(name), let key = keyring.key(of: name, in: configuration) else {
            return .failure(.unknownPeer)
        }
        guard timestamp.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let microseconds = Int64(timestamp) else {
            return .failure(.malformed)
        }
        let sent = Timestamp(microsecondsSinceEpoch: microseconds)
        guard now - sent <= maximumSkew, sent - now <= maximumSkew else { return .failure(.stale) }
        guard let bytes = Self.bytes(hex: signature), bytes.count == Self.signatureBytes else { return .failure(.badSignature) }
        if !answering, let previous = lastAccepted.withLockedValue({ $0[name] }), previous >= microseconds {
            return .failure(.replayed)
        }
        return .success(SignedHeaders(sender: name, timestamp: timestamp, microseconds: microseconds, signature: bytes, key: key))
    }

    /// Checks the signature of a message whose headers `screen` passed, sent with `method` to
    /// `path` of the director `receiver`; returns its sender, or why it is refused. An answer is
    /// checked against the signature of the request it answers (`inReplyTo`), which makes it
    /// single-use; it does not move the sender's replay mark, so the sender's own messages signed
    /// just before it still count.
    public func verify(_ body: Data, _ headers: SignedHeaders, method: String, path: String, receiver: DirectorName?,
                       inReplyTo request: String? = nil) -> Result<DirectorName, Refusal> {
        let envelope = Envelope(method: method, path: path, from: headers.sender, to: receiver)
        let message = Self.signed(body, envelope, timestamp: headers.timestamp, inReplyTo: request)
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: headers.key.bytes),
              key.isValidSignature(headers.signature, for: message) else { return .failure(.badSignature) }
        if request != nil { return .success(headers.sender) }
        let accepted = lastAccepted.withLockedValue { last -> Bool in
            if let previous = last[headers.sender], previous >= headers.microseconds { return false }
            last[headers.sender] = headers.microseconds
            return true
        }
        return accepted ? .success(headers.sender) : .failure(.replayed)
    }

    /// `screen` and `verify` at once, for a message whose body is already at hand.
    public func verify(_ body: Data, _ headers: UncheckedHeaders, method: String, path: String,
                       receiver: DirectorName?, known: Set<DirectorName>, configuration: Configuration, now: Timestamp,
                       inReplyTo request: String? = nil) -> Result<DirectorName, Refusal> {
        screen(headers, known: known, configuration: configuration, now: now, answering: request != nil)
            .flatMap { verify(body, $0, method: method, path: path, receiver: receiver, inReplyTo: request) }
    }

    /// The bytes a signature is over.
    private static func signed(_ body: Data, _ envelope: Envelope, timestamp: String, inReplyTo request: String?) -> Data {
        // No director is named `*`: a message signed for any receiver cannot pass for one signed for a named one.
        let receiver = envelope.receiver?.rawValue ?? "*"
        var message = Data("meridian-peer-v2\n\(envelope.method)\n\(envelope.path)\n\(receiver)\n\(envelope.sender)\n\(timestamp)\n".utf8)
        if let request { message.append(Data("reply-to \(request)\n".utf8)) }
        message.append(body)
        return message
    }

    /// An Ed25519 signature's length.
    static let signatureBytes = 64

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8.prefix(2 * signatureBytes + 1))
        guard digits.count % 2 == 0, digits.count <= 2 * signatureBytes else { return nil }
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
