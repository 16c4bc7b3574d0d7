import MeridianCore
import NIOCore

extension DNSMessage {
    /// Encodes the message with name compression. When it would exceed `maximumSize` bytes, the
    /// records are left out and the header says TC (the question and EDNS stay), so the client
    /// retries over TCP.
    public func encoded(maximumSize: Int = 65535) -> ByteBuffer {
        var buffer = ByteBuffer()
        write(to: &buffer)
        guard buffer.readableBytes > maximumSize else { return buffer }
        var truncated = self
        truncated.header.truncated = true
        truncated.answers = []
        truncated.authority = []
        truncated.additional = []
        var small = ByteBuffer()
        truncated.write(to: &small)
        return small
    }

    /// Appends the message to `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        var compressor = NameCompressor(base: buffer.writerIndex)
        var header = self.header
        header.questionCount = UInt16(questions.count)
        header.answerCount = UInt16(answers.count)
        header.authorityCount = UInt16(authority.count)
        header.additionalCount = UInt16(additional.count + (edns == nil ? 0 : 1))
        header.write(to: &buffer)
        for question in questions {
            compressor.write(question.name, into: &buffer)
            buffer.writeMultipleIntegers(question.type.rawValue, question.recordClass.rawValue)
        }
        for record in answers + authority + additional {
            write(record, into: &buffer, compressor: &compressor)
        }
        if let edns { write(edns, into: &buffer) }
    }

    private func write(_ record: ResourceRecord, into buffer: inout ByteBuffer, compressor: inout NameCompressor) {
        compressor.write(record.name, into: &buffer)
        buffer.writeMultipleIntegers(record.type.rawValue, record.recordClass.rawValue, record.ttl, UInt16(0))
        let lengthAt = buffer.writerIndex - 2
        let start = buffer.writerIndex
        switch record.data {
        case .a(let address):
            if case .v4(let bits) = address { buffer.writeInteger(bits) }
        case .aaaa(let address):
            if case .v6(let bits) = address {
                buffer.writeMultipleIntegers(UInt64(truncatingIfNeeded: bits >> 64), UInt64(truncatingIfNeeded: bits))
            }
        case .ns(let name), .cname(let name):
            compressor.write(name, into: &buffer)
        case .soa(let soa):
            compressor.write(soa.primary, into: &buffer)
            compressor.write(soa.mailbox, into: &buffer)
            buffer.writeMultipleIntegers(soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum)
        case .txt(let strings):
            for string in strings {
                buffer.writeInteger(UInt8(min(string.count, 255)))
                buffer.writeBytes(string.prefix(255))
            }
        case .other(_, let bytes):
            buffer.writeBytes(bytes)
        }
        buffer.setInteger(UInt16(buffer.writerIndex - start), at: lengthAt)
    }

    private func write(_ edns: EDNS, into buffer: inout ByteBuffer) {
        let ttl = UInt32(edns.extendedResponseCode) << 24 | UInt32(edns.version) << 16 | (edns.dnssecOK ? 0x8000 : 0)
        buffer.writeMultipleIntegers(UInt8(0), RecordType.opt.rawValue, edns.udpPayloadSize, ttl)
        guard let subnet = edns.clientSubnet else {
            buffer.writeInteger(UInt16(0))
            return
        }
        let addressLength = (Int(subnet.sourcePrefixLength) + 7) / 8
        buffer.writeMultipleIntegers(UInt16(4 + 4 + addressLength), EDNS.clientSubnetOption, UInt16(4 + addressLength),
                                     subnet.familyNumber, subnet.sourcePrefixLength, subnet.scopePrefixLength)
        switch subnet.address {
        case .v4(let bits):
            buffer.writeBytes((0..<addressLength).map { UInt8(truncatingIfNeeded: bits >> (24 - 8 * $0)) })
        case .v6(let bits):
            buffer.writeBytes((0..<addressLength).map { UInt8(truncatingIfNeeded: bits >> (120 - 8 * $0)) })
        }
    }
}

/// Writes names, pointing at an earlier copy of any suffix already written (RFC 1035 4.1.4).
struct NameCompressor {
    /// Where the message starts in the buffer.
    let base: Int
    /// Offsets of suffixes already written, by their lower-cased wire form.
    private var offsets: [[UInt8]: Int] = [:]

    init(base: Int) {
        self.base = base
    }

    mutating func write(_ name: DNSName, into buffer: inout ByteBuffer) {
        let key = name.key
        var keyStart = 0
        for label in name.labels {
            let suffix = Array(key[keyStart...])
            if let offset = offsets[suffix] {
                buffer.writeInteger(UInt16(0xC000) | UInt16(offset))
                return
            }
            let here = buffer.writerIndex - base
            if here < 0x4000 { offsets[suffix] = here }
            buffer.writeInteger(UInt8(label.count))
            buffer.writeBytes(label)
            keyStart += label.count + 1
        }
        buffer.writeInteger(UInt8(0))
    }
}
