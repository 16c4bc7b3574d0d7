/// The bytes a head's syntax turns on.
let cr: UInt8 = 13, lf: UInt8 = 10, space: UInt8 = 32, tab: UInt8 = 9, colon: UInt8 = 58

/// The value readers of `HTTPHeadScanner`: comparisons, lists, numbers and hosts. The header names
/// the redirector reads and the byte classes of RFC 9110 follow.
extension HTTPHeadScanner {
    /// Whether the bytes at `start` are `text`, exactly.
    func matches(_ start: Int, _ text: StaticString) -> Bool {
        guard start + text.utf8CodeUnitCount <= end else { return false }
        for index in 0..<text.utf8CodeUnitCount where bytes[start + index] != text.utf8Start[index] { return false }
        return true
    }

    func equalsIgnoringCase(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        for index in 0..<range.count where lowercased(bytes[range.lowerBound + index]) != text.utf8Start[index] {
            return false
        }
        return true
    }

    func contains(_ range: Range<Int>, _ text: StaticString) -> Bool {
        let length = text.utf8CodeUnitCount
        guard range.count >= length else { return false }
        for start in range.lowerBound...(range.upperBound - length)
        where equalsIgnoringCase(start..<start + length, text) {
            return true
        }
        return false
    }

    /// Calls `body` with each comma-separated token of a list value, trimmed.
    func forEachToken(_ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        while start <= range.upperBound {
            var stop = start
            while stop < range.upperBound, bytes[stop] != 0x2C { stop += 1 }
            var low = start, high = stop
            while low < high, bytes[low] == space || bytes[low] == tab { low += 1 }
            while high > low, bytes[high - 1] == space || bytes[high - 1] == tab { high -= 1 }
            if high > low { body(low..<high) }
            start = stop + 1
        }
    }

    /// A Content-Length value: digits only, at most 15 of them.
    func decimal(_ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 15 else { return nil }
        var value = 0
        for index in range {
            guard isDigit(bytes[index]) else { return nil }
            value = value * 10 + Int(bytes[index] - 0x30)
        }
        return value
    }

    /// A Host value: a name, an IPv4 address or a bracketed IPv6 address, with an optional port.
    func isValidHost(_ range: Range<Int>) -> Bool {
        guard !range.isEmpty, range.count <= 261 else { return false }
        for index in range {
            let byte = bytes[index]
            let allowed = isDigit(byte) || (lowercased(byte) >= 0x61 && lowercased(byte) <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == colon || byte == 0x5B || byte == 0x5D
            guard allowed else { return false }
        }
        return true
    }
}

/// The headers the redirector reads, recognised by length first and then case-insensitively.
enum HeaderName {
    case host, connection, accept, forwardedFor, forwarded, contentLength, transferEncoding, other

    init(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        func named(_ text: StaticString) -> Bool {
            for index in 0..<range.count where lowercased(bytes[range.lowerBound + index]) != text.utf8Start[index] {
                return false
            }
            return true
        }
        switch range.count {
        case 4 where named("host"): self = .host
        case 6 where named("accept"): self = .accept
        case 9 where named("forwarded"): self = .forwarded
        case 10 where named("connection"): self = .connection
        case 14 where named("content-length"): self = .contentLength
        case 15 where named("x-forwarded-for"): self = .forwardedFor
        case 17 where named("transfer-encoding"): self = .transferEncoding
        default: self = .other
        }
    }
}

@inline(__always) func lowercased(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

/// RFC 9110 tchar: the characters of methods and header names.
@inline(__always) func isTokenCharacter(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
    case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
    default: false
    }
}
