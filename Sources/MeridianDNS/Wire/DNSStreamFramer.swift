import NIOCore

/// Splits a DNS-over-TCP byte stream into messages, each preceded by its two-byte length (RFC 1035
/// 4.2.2, RFC 7766 8). Bytes arrive in any pieces: a message may span reads and a read may hold many
/// messages. The framer keeps only what it has been given and not yet handed out, so the caller
/// bounds its memory by how much it reads before taking messages out.
public struct DNSStreamFramer: Sendable {
    private var buffered: ByteBuffer?

    public init() {}

    /// The bytes given and not yet handed out as messages.
    public var bufferedBytes: Int { buffered?.readableBytes ?? 0 }

    /// Keeps `bytes` after those already given.
    public mutating func append(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0 else { return }
        if buffered == nil || buffered?.readableBytes == 0 {
            buffered = bytes
        } else {
            var incoming = bytes
            buffered!.writeBuffer(&incoming)
        }
    }

    /// The next whole message (without its length prefix), or `nil` until all of it has arrived.
    /// A message of length zero is handed out as an empty buffer: not a message the caller can answer.
    public mutating func next() -> ByteBuffer? {
        guard var buffer = buffered, let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return nil }
        buffered = nil  // so that the slice below does not copy the storage it shares
        buffer.moveReaderIndex(forwardBy: 2)
        let message = buffer.readSlice(length: Int(length))
        if buffer.readableBytes > 0 {
            // Keep the storage from growing with a long pipeline: start again at its beginning.
            if buffer.readerIndex > 64 * 1024 { buffer.discardReadBytes() }
            buffered = buffer
        }
        return message
    }
}
