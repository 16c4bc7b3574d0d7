import Crypto
import Foundation
import MeridianCore

/// One frame as it travels on a peer stream (`POST /v1/peer/stream`): its number on the stream, its
/// bytes, and the sender's Ed25519 signature over the sender, the receiver, the stream's id, the
/// number and the bytes, so a frame counts only on the stream it was signed for, at its place:
///
///     record = varint(number) varint(length) signature(64 bytes) frame(length bytes)
///
/// The stream's id is the signed timestamp of the request that opened it.
struct ExchangeRecord: Sendable, Equatable {
    var number: UInt64
    var frame: [UInt8]

    /// Who sends on a stream, to whom, and which stream it is: what each record's signature binds.
    struct Stream: Sendable, Equatable {
        var sender: String
        var receiver: String
        var id: UInt64
    }

    /// The record's bytes, signed with `key` for `stream`.
    func sealed(for stream: Stream, with key: DirectorSigningKey) -> [UInt8] {
        var writer = ExchangeWriter(reservingCapacity: frame.count + Self.signatureLength + 20)
        writer.varint(number)
        writer.varint(UInt64(frame.count))
        writer.append(key.signature(for: Self.signed(frame, number: number, stream: stream)))
        writer.append(frame)
        return writer.bytes
    }

    /// Whether `signature` is `stream`'s sender's (with `key`) over this record.
    func isSigned(_ signature: some DataProtocol, for stream: Stream, by key: DirectorKey) -> Bool {
        guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key.bytes) else { return false }
        return publicKey.isValidSignature(signature, for: Self.signed(frame, number: number, stream: stream))
    }

    /// The bytes a record's signature is over.
    static func signed(_ frame: [UInt8], number: UInt64, stream: Stream) -> Data {
        var message = Data("meridian-exchange-v3\n\(stream.sender)\n\(stream.receiver)\n\(stream.id)\n\(number)\n".utf8)
        message.append(contentsOf: frame)
        return message
    }

    /// An Ed25519 signature's length.
    static let signatureLength = 64
}
