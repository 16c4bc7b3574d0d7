import MeridianCore
import NIOCore

/// A whole DNS message: header, question, the three record sections and EDNS.
public struct DNSMessage: Hashable, Sendable {
    /// The header; its counts are recomputed when the message is encoded.
    public var header: DNSHeader
    public var questions: [Question]
    public var answers: [ResourceRecord]
    public var authority: [ResourceRecord]
    /// The additional section, without the OPT record (which is `edns`).
    public var additional: [ResourceRecord]
    public var edns: EDNS?

    public init(header: DNSHeader, questions: [Question] = [], answers: [ResourceRecord] = [],
                authority: [ResourceRecord] = [], additional: [ResourceRecord] = [], edns: EDNS? = nil) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.additional = additional
        self.edns = edns
    }

    /// The full response code: the header's four bits and EDNS's upper eight.
    public var responseCode: ResponseCode {
        get { ResponseCode(rawValue: UInt16(edns?.extendedResponseCode ?? 0) << 4 | UInt16(header.responseCode)) }
        set {
            header.responseCode = UInt8(newValue.rawValue & 0x0F)
            edns?.extendedResponseCode = UInt8(newValue.rawValue >> 4)
        }
    }

    /// Decodes a message. Bytes after the last counted record are an error.
    public init(decoding buffer: ByteBuffer) throws(DNSDecodingError) {
        header = try DNSHeader(peeking: buffer)
        var reader = DNSReader(buffer)
        reader.offset = DNSHeader.size
        questions = []
        for _ in 0..<header.questionCount {
            let name = try reader.name()
            questions.append(Question(name: name, type: RecordType(rawValue: try reader.u16("question")),
                                      recordClass: RecordClass(rawValue: try reader.u16("question"))))
        }
        var edns: EDNS?
        answers = try Self.readSection(&reader, count: header.answerCount, allowsOPT: false, edns: &edns)
        authority = try Self.readSection(&reader, count: header.authorityCount, allowsOPT: false, edns: &edns)
        additional = try Self.readSection(&reader, count: header.additionalCount, allowsOPT: true, edns: &edns)
        self.edns = edns
        guard reader.remaining == 0 else { throw .trailingBytes }
    }

    /// Reads `count` records; an OPT record (allowed only in the additional section) goes to `edns`.
    private static func readSection(_ reader: inout DNSReader, count: UInt16, allowsOPT: Bool,
                                    edns: inout EDNS?) throws(DNSDecodingError) -> [ResourceRecord] {
        var records: [ResourceRecord] = []
        for _ in 0..<count {
            let name = try reader.name()
            let type = RecordType(rawValue: try reader.u16("record"))
            let rawClass = try reader.u16("record")
            let ttl = try reader.u32("record")
            let length = Int(try reader.u16("record"))
            guard length <= reader.remaining else { throw .truncated("record data") }
            let end = reader.offset + length
            if type == .opt {
                guard allowsOPT, name == .root else { throw .misplacedOPT }
                guard edns == nil else { throw .duplicateOPT }
                edns = try readOPT(&reader, payloadSize: rawClass, ttl: ttl, end: end)
                continue
            }
            let data = try readData(&reader, type: type, length: length)
            guard reader.offset == end else { throw .recordDataLength(type) }
            records.append(ResourceRecord(name: name, recordClass: RecordClass(rawValue: rawClass), ttl: ttl, data: data))
        }
        return records
    }

    private static func readData(_ reader: inout DNSReader, type: RecordType, length: Int) throws(DNSDecodingError) -> RecordData {
        switch type {
        case .a:
            guard length == 4 else { throw .recordDataLength(type) }
            return .a(.v4(try reader.u32("A")))
        case .aaaa:
            guard length == 16 else { throw .recordDataLength(type) }
            let bytes = try reader.bytes(16, "AAAA")
            return .aaaa(.v6(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }))
        case .ns:
            return .ns(try reader.name())
        case .cname:
            return .cname(try reader.name())
        case .soa:
            return .soa(SOAData(primary: try reader.name(), mailbox: try reader.name(), serial: try reader.u32("SOA"),
                                refresh: try reader.u32("SOA"), retry: try reader.u32("SOA"), expire: try reader.u32("SOA"),
                                minimum: try reader.u32("SOA")))
        case .txt:
            var strings: [[UInt8]] = []
            let end = reader.offset + length
            while reader.offset < end {
                let stringLength = Int(try reader.u8("TXT"))
                guard reader.offset + stringLength <= end else { throw .recordDataLength(type) }
                strings.append(try reader.bytes(stringLength, "TXT"))
            }
            return .txt(strings)
        default:
            return .other(type, try reader.bytes(length, "record data"))
        }
    }

    private static func readOPT(_ reader: inout DNSReader, payloadSize: UInt16, ttl: UInt32, end: Int) throws(DNSDecodingError) -> EDNS {
        var edns = EDNS(udpPayloadSize: payloadSize, extendedResponseCode: UInt8(ttl >> 24), version: UInt8((ttl >> 16) & 0xFF),
                        dnssecOK: ttl & 0x8000 != 0)
        edns.compactOK = ttl & 0x4000 != 0
        while reader.offset < end {
            guard end - reader.offset >= 4 else { throw .truncated("EDNS option") }
            let code = try reader.u16("EDNS option")
            let length = Int(try reader.u16("EDNS option"))
            guard reader.offset + length <= end else { throw .truncated("EDNS option") }
            if code == EDNS.clientSubnetOption {
                guard edns.clientSubnet == nil else { throw .badClientSubnet("given twice") }
                edns.clientSubnet = try readClientSubnet(&reader, length: length)
            } else if code == EDNS.nsidOption {
                edns.nsid = try reader.bytes(length, "NSID")
            } else {
                reader.offset += length
            }
        }
        return edns
    }

    private static func readClientSubnet(_ reader: inout DNSReader, length: Int) throws(DNSDecodingError) -> ClientSubnet {
        guard length >= 4 else { throw .badClientSubnet("shorter than 4 bytes") }
        let family = try reader.u16("client subnet")
        let source = try reader.u8("client subnet")
        let scope = try reader.u8("client subnet")
        let width: Int
        switch family {
        case 1: width = 32
        case 2: width = 128
        default: throw .badClientSubnet("unknown family \(family)")
        }
        guard Int(source) <= width, Int(scope) <= width else { throw .badClientSubnet("prefix longer than the address") }
        let addressLength = length - 4
        guard addressLength == (Int(source) + 7) / 8 else {
            throw .badClientSubnet("\(addressLength) address bytes for a /\(source) prefix")
        }
        let bytes = try reader.bytes(addressLength, "client subnet") + [UInt8](repeating: 0, count: width / 8 - addressLength)
        let address: IPAddress = width == 32
            ? .v4(bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            : .v6(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
        guard IPPrefix(masking: address, length: Int(source)).address == address else {
            throw .badClientSubnet("address bits set past the source prefix")
        }
        return ClientSubnet(address: address, sourcePrefixLength: source, scopePrefixLength: scope)
    }
}
