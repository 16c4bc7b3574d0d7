import NIOCore

/// The 12-byte header of every DNS message.
public struct DNSHeader: Hashable, Sendable {
    public var id: UInt16
    public var isResponse: Bool
    public var opcode: Opcode
    public var authoritative: Bool
    public var truncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    /// The Z bit: must be zero.
    public var reservedBit: Bool
    public var authenticData: Bool
    public var checkingDisabled: Bool
    /// The low four bits of the response code (EDNS carries the upper eight).
    public var responseCode: UInt8
    public var questionCount: UInt16
    public var answerCount: UInt16
    public var authorityCount: UInt16
    public var additionalCount: UInt16

    public init(id: UInt16 = 0, isResponse: Bool = false, opcode: Opcode = .query, authoritative: Bool = false,
                truncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
                authenticData: Bool = false, checkingDisabled: Bool = false, responseCode: UInt8 = 0,
                questionCount: UInt16 = 0, answerCount: UInt16 = 0, authorityCount: UInt16 = 0, additionalCount: UInt16 = 0) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.authoritative = authoritative
        self.truncated = truncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.reservedBit = false
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.responseCode = responseCode
        self.questionCount = questionCount
        self.answerCount = answerCount
        self.authorityCount = authorityCount
        self.additionalCount = additionalCount
    }

    /// The size of a header on the wire.
    public static let size = 12

    /// Reads a header from the start of `buffer`'s readable bytes, without consuming them.
    public init(peeking buffer: ByteBuffer) throws(DNSDecodingError) {
        guard buffer.readableBytes >= Self.size,
              let id = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              let flags = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt16.self),
              let qd = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt16.self),
              let an = buffer.getInteger(at: buffer.readerIndex + 6, as: UInt16.self),
              let ns = buffer.getInteger(at: buffer.readerIndex + 8, as: UInt16.self),
              let ar = buffer.getInteger(at: buffer.readerIndex + 10, as: UInt16.self) else { throw .truncatedHeader }
        self.id = id
        isResponse = flags & 0x8000 != 0
        opcode = Opcode(rawValue: UInt8((flags >> 11) & 0x0F))
        authoritative = flags & 0x0400 != 0
        truncated = flags & 0x0200 != 0
        recursionDesired = flags & 0x0100 != 0
        recursionAvailable = flags & 0x0080 != 0
        reservedBit = flags & 0x0040 != 0
        authenticData = flags & 0x0020 != 0
        checkingDisabled = flags & 0x0010 != 0
        responseCode = UInt8(flags & 0x000F)
        questionCount = qd
        answerCount = an
        authorityCount = ns
        additionalCount = ar
    }

    /// The flags word.
    public var flags: UInt16 {
        var flags = UInt16(opcode.rawValue) << 11 | UInt16(responseCode & 0x0F)
        if isResponse { flags |= 0x8000 }
        if authoritative { flags |= 0x0400 }
        if truncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        if reservedBit { flags |= 0x0040 }
        if authenticData { flags |= 0x0020 }
        if checkingDisabled { flags |= 0x0010 }
        return flags
    }

    func write(to buffer: inout ByteBuffer) {
        buffer.writeMultipleIntegers(id, flags, questionCount, answerCount, authorityCount, additionalCount)
    }
}
