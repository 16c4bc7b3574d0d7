import MeridianCore

/// Cuts a peer stream's bytes, as they arrive in pieces of any size, into tagged records
/// (`ExchangeRecord`), and keeps the stream's rules: a record's frame is at most `largestFrame` bytes (refused from its length
/// alone, before its bytes are waited for), its tag is right under the stream's key, and its
/// number is above the last one taken. It holds at most one record's bytes.
struct ExchangeRecordReader {
    /// Why a stream is cut.
    enum Refusal: String, Error, Sendable, Equatable {
        case tooLarge = "too-large"
        case badSignature = "bad-signature"
        case replayed
        case malformed
    }

    let key: ExchangeStreamKey
    let largestFrame: Int
    private var buffer: [UInt8] = []
    private var lastNumber: UInt64?

    init(key: ExchangeStreamKey, largestFrame: Int) {
        self.key = key
        self.largestFrame = largestFrame
    }

    /// Adds bytes that arrived; returns the records they complete, in order, or why the stream is cut.
    mutating func take(_ bytes: some Collection<UInt8>) -> Result<[ExchangeRecord], Refusal> {
        buffer.append(contentsOf: bytes)
        var records: [ExchangeRecord] = []
        var offset = 0
        defer { buffer.removeFirst(offset) }
        while true {
            var cursor = offset
            let number: UInt64?, length: UInt64?
            do {
                number = try varint(&cursor)
                length = try number == nil ? nil : varint(&cursor)
            } catch {
                return .failure(.malformed)
            }
            guard let number, let length else { break }
            guard length <= UInt64(largestFrame) else { return .failure(.tooLarge) }
            let start = cursor + ExchangeStreamKey.tagLength, end = start + Int(length)
            guard end <= buffer.count else { break }
            let frame = Array(buffer[start..<end])
            guard key.isValid(buffer[cursor..<start], number: number, frame: frame) else { return .failure(.badSignature) }
            guard lastNumber.map({ number > $0 }) ?? true else { return .failure(.replayed) }
            lastNumber = number
            records.append(ExchangeRecord(number: number, frame: frame))
            offset = end
        }
        return .success(records)
    }

    private struct Overlong: Error {}

    /// The varint at `cursor`, moving it on; `nil` when the bytes end inside it; throws when it runs
    /// over ten bytes or 64 bits.
    private func varint(_ cursor: inout Int) throws(Overlong) -> UInt64? {
        var value: UInt64 = 0
        for index in 0..<10 {
            guard cursor < buffer.count else { return nil }
            let byte = buffer[cursor]
            cursor += 1
            if index == 9, byte > 1 { throw Overlong() }
            value |= UInt64(byte & 0x7F) << UInt64(7 * index)
            if byte & 0x80 == 0 { return value }
        }
        throw Overlong()
    }
}
