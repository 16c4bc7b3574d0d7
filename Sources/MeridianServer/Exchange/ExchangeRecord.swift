import MeridianCore

/// One frame as it travels on a peer stream (`POST /v1/peer/stream`): its number on the stream, its
/// bytes, and a tag under the stream's key (`ExchangeStreamKey`) over the number and the bytes, so a
/// frame counts only on the stream it was made for, at its place:
///
///     record = varint(number) varint(length) tag(16 bytes) frame(length bytes)
///
/// The stream's id is the signed timestamp of the request that opened it.
struct ExchangeRecord: Sendable, Equatable {
    var number: UInt64
    var frame: [UInt8]

    /// Who sends on a stream, to whom, and which stream it is: what the stream's key is bound to.
    struct Stream: Sendable, Equatable {
        var sender: String
        var receiver: String
        var id: UInt64
    }

    /// The record's bytes, tagged with `key`.
    func sealed(with key: ExchangeStreamKey) -> [UInt8] {
        var writer = ExchangeWriter(reservingCapacity: frame.count + ExchangeStreamKey.tagLength + 20)
        writer.varint(number)
        writer.varint(UInt64(frame.count))
        writer.append(key.tag(number: number, frame: frame))
        writer.append(frame)
        return writer.bytes
    }
}
