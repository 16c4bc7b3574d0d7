/// Writes the exchange's binary encoding (version 3): bytes, LEB128 varints, zigzag varints for
/// signed times, and length-prefixed UTF-8. `ExchangeReader` reads what it writes. The stream's
/// records (in MeridianServer) are written with it too.
public struct ExchangeWriter {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    public mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: rest))
    }

    mutating func time(_ timestamp: Timestamp) {
        let value = timestamp.nanosecondsSinceEpoch
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func fixed64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// A name (1-63 bytes): its length in one byte, then its bytes.
    mutating func name<Kind>(_ name: Name<Kind>) {
        let utf8 = name.rawValue.utf8
        bytes.append(UInt8(truncatingIfNeeded: utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Text as a varint length and its UTF-8.
    mutating func text(_ text: String) {
        varint(UInt64(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func append(_ other: some Sequence<UInt8>) {
        bytes.append(contentsOf: other)
    }
}
