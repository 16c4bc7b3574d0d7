/// Why bytes are not a DNS message. Every read is bounds-checked: a decode error is a value, never
/// a trap.
public enum DNSDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer than the 12 header bytes: not even an ID to answer to.
    case truncatedHeader
    case truncated(String)
    case labelTooLong
    case nameTooLong
    case badLabelType
    case badPointer
    case tooManyPointers
    case recordDataLength(RecordType)
    case duplicateOPT
    case misplacedOPT
    case badClientSubnet(String)
    case trailingBytes

    public var description: String {
        switch self {
        case .truncatedHeader: "shorter than a DNS header"
        case .truncated(let what): "truncated \(what)"
        case .labelTooLong: "a label longer than 63 bytes"
        case .nameTooLong: "a name longer than 255 bytes"
        case .badLabelType: "a reserved label type"
        case .badPointer: "a compression pointer that does not point strictly backwards"
        case .tooManyPointers: "too many compression pointers"
        case .recordDataLength(let type): "\(type) record data of the wrong length"
        case .duplicateOPT: "more than one OPT record"
        case .misplacedOPT: "an OPT record outside the additional section or not at the root"
        case .badClientSubnet(let why): "bad EDNS client subnet: \(why)"
        case .trailingBytes: "bytes after the last record"
        }
    }
}
