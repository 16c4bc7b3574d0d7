import MeridianCore
import NIOCore

/// Why a message cannot be put on the wire as it is.
public enum DNSEncodingError: Error, Sendable, Equatable {
    /// A section holds more records than its 16-bit count can say.
    case tooManyRecords
    /// A record's data is longer than its 16-bit length can say.
    case recordDataTooLong(RecordType)
}

extension DNSMessage {
    /// Encodes the message with name compression, never longer than `maximumSize` bytes (at least a
    /// header's 12). When the whole message does not fit (or cannot be encoded at all), the records
    /// are left out and the header says TC, so the client retries over TCP; when even the question
    /// does not fit, it is left out too, and then EDNS. The fallback is checked like the first try.
    public func encoded(maximumSize: Int = 65535) -> ByteBuffer {
        if let whole = try? encodedIfFits(maximumSize) { return whole }
        var truncated = self
        truncated.header.truncated = true
        truncated.answers = []
        truncated.authority = []
        truncated.additional = []
        if let small = try? truncated.encodedIfFits(maximumSize) { return small }
        truncated.questions = []
        if let smaller = try? truncated.encodedIfFits(maximumSize) { return smaller }
        truncated.edns = nil
        var header = ByteBuffer()
        try? truncated.write(to: &header)
        return header
    }

    /// The encoded message, or `nil` when it is longer than `maximumSize`.
    private func encodedIfFits(_ maximumSize: Int) throws(DNSEncodingError) -> ByteBuffer? {
        var buffer = ByteBuffer()
        try write(to: &buffer)
        return buffer.readableBytes <= maximumSize ? buffer : nil
    }

    /// Appends the message to `buffer`; on an error, `buffer` may hold part of it.
    public func write(to buffer: inout ByteBuffer) throws(DNSEncodingError) {
        var compressor = NameCompressor(base: buffer.writerIndex)
        var header = self.header
        guard let questionCount = UInt16(exactly: questions.count), let answerCount = UInt16(exactly: answers.count),
              let authorityCount = UInt16(exactly: authority.count),
              let additionalCount = UInt16(exactly: additional.count + (edns == nil ? 0 : 1)) else {
            throw .tooManyRecords
        }
        header.questionCount = questionCount
        header.answerCount = answerCount
        header.authorityCount = authorityCount
        header.additionalCount = additionalCount
        header.write(to: &buffer)
        for question in questions {
            compressor.write(question.name, into: &buffer)
            buffer.writeMultipleIntegers(question.type.rawValue, question.recordClass.rawValue)
        }
        for section in [answers, authority, additional] {
            for record in section { try write(record, into: &buffer, compressor: &compressor) }
        }
        if let edns { try write(edns, into: &buffer) }
    }

    private func write(_ record: ResourceRecord, into buffer: inout ByteBuffer,
                       compressor: inout NameCompressor) throws(DNSEncodingError) {
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
                // Each character string is at most 255 bytes (`RecordData.text` splits longer text).
                let bytes = string.prefix(255)
                buffer.writeInteger(UInt8(truncatingIfNeeded: bytes.count))
                buffer.writeBytes(bytes)
            }
        case .other(_, let bytes):
            buffer.writeBytes(bytes)
        }
        guard let length = UInt16(exactly: buffer.writerIndex - start) else { throw .recordDataTooLong(record.type) }
        buffer.setInteger(length, at: lengthAt)
    }

    private func write(_ edns: EDNS, into buffer: inout ByteBuffer) throws(DNSEncodingError) {
        let ttl = UInt32(edns.extendedResponseCode) << 24 | UInt32(edns.version) << 16 | (edns.dnssecOK ? 0x8000 : 0) | (edns.compactOK ? 0x4000 : 0)
        buffer.writeMultipleIntegers(UInt8(0), RecordType.opt.rawValue, edns.udpPayloadSize, ttl)
        let lengthAt = buffer.writerIndex
        buffer.writeInteger(UInt16(0))
        if let nsid = edns.nsid {
            guard let length = UInt16(exactly: nsid.count) else { throw .recordDataTooLong(.opt) }
            buffer.writeMultipleIntegers(EDNS.nsidOption, length)
            buffer.writeBytes(nsid)
        }
        if let subnet = edns.clientSubnet {
            let addressLength = (Int(subnet.sourcePrefixLength) + 7) / 8
            buffer.writeMultipleIntegers(EDNS.clientSubnetOption, UInt16(4 + addressLength),
                                         subnet.familyNumber, subnet.sourcePrefixLength, subnet.scopePrefixLength)
            switch subnet.address {
            case .v4(let bits):
                buffer.writeBytes((0..<addressLength).map { UInt8(truncatingIfNeeded: bits >> (24 - 8 * $0)) })
            case .v6(let bits):
                buffer.writeBytes((0..<addressLength).map { UInt8(truncatingIfNeeded: bits >> (120 - 8 * $0)) })
            }
        }
        guard let length = UInt16(exactly: buffer.writerIndex - lengthAt - 2) else { throw .recordDataTooLong(.opt) }
        buffer.setInteger(length, at: lengthAt)
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
