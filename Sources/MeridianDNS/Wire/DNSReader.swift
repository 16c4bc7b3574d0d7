import MeridianCore
import NIOCore

/// Reads a DNS message with random access (compression pointers point anywhere earlier), checking
/// every bound. Offsets are relative to the start of the message.
struct DNSReader {
    private let buffer: ByteBuffer
    private let base: Int
    let count: Int
    var offset: Int

    init(_ buffer: ByteBuffer) {
        self.buffer = buffer
        self.base = buffer.readerIndex
        self.count = buffer.readableBytes
        self.offset = 0
    }

    var remaining: Int { count - offset }

    mutating func u8(_ what: String) throws(DNSDecodingError) -> UInt8 {
        guard offset + 1 <= count, let value = buffer.getInteger(at: base + offset, as: UInt8.self) else { throw .truncated(what) }
        offset += 1
        return value
    }

    mutating func u16(_ what: String) throws(DNSDecodingError) -> UInt16 {
        guard offset + 2 <= count, let value = buffer.getInteger(at: base + offset, as: UInt16.self) else { throw .truncated(what) }
        offset += 2
        return value
    }

    mutating func u32(_ what: String) throws(DNSDecodingError) -> UInt32 {
        guard offset + 4 <= count, let value = buffer.getInteger(at: base + offset, as: UInt32.self) else { throw .truncated(what) }
        offset += 4
        return value
    }

    mutating func bytes(_ length: Int, _ what: String) throws(DNSDecodingError) -> [UInt8] {
        guard length >= 0, offset + length <= count, let value = buffer.getBytes(at: base + offset, length: length) else {
            throw .truncated(what)
        }
        offset += length
        return value
    }

    private func byte(at position: Int) throws(DNSDecodingError) -> UInt8 {
        guard position < count, let value = buffer.getInteger(at: base + position, as: UInt8.self) else { throw .truncated("name") }
        return value
    }

    /// Reads a name at the cursor, following compression pointers. Each pointer must point before
    /// the start of the labels read so far, so pointers can neither loop nor point forward.
    mutating func name() throws(DNSDecodingError) -> DNSName {
        var labels: [[UInt8]] = []
        var position = offset
        var limit = offset
        var end: Int?
        var wireLength = 1
        var pointers = 0
        while true {
            let length = try byte(at: position)
            switch length & 0xC0 {
            case 0xC0:
                let target = Int(length & 0x3F) << 8 | Int(try byte(at: position + 1))
                guard target < limit else { throw .badPointer }
                pointers += 1
                guard pointers <= 64 else { throw .tooManyPointers }
                if end == nil { end = position + 2 }
                position = target
                limit = target
            case 0x00:
                if length == 0 {
                    offset = end ?? position + 1
                    return DNSName(uncheckedLabels: labels)
                }
                wireLength += Int(length) + 1
                guard wireLength <= 255 else { throw .nameTooLong }
                guard position + 1 + Int(length) <= count,
                      let label = buffer.getBytes(at: base + position + 1, length: Int(length)) else { throw .truncated("name") }
                labels.append(label)
                position += 1 + Int(length)
            default:
                throw .badLabelType
            }
        }
    }
}
