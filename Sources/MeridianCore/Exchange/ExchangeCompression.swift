import CZlib

/// The exchange's zlib wrapper (zlib format, RFC 1950), the only code that touches zlib. Inflating
/// writes into a buffer of the declared length and no more, so a payload that inflates further (a
/// zlib bomb) fails as soon as that buffer is full.
enum ExchangeCompression {
    /// `bytes` deflated, or `nil` if zlib fails.
    static func deflate(_ bytes: [UInt8]) -> [UInt8]? {
        let sourceLength = UInt(bytes.count)
        var output = [UInt8](repeating: 0, count: Int(compressBound(sourceLength)))
        var outputLength = UInt(output.count)
        let status = output.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &outputLength, source.baseAddress, sourceLength, Z_DEFAULT_COMPRESSION)
            }
        }
        guard status == Z_OK, outputLength <= UInt(output.count) else { return nil }
        output.removeSubrange(Int(outputLength)...)
        return output
    }

    /// `bytes` inflated, if they are one whole zlib stream that inflates to exactly `length` bytes.
    static func inflate(_ bytes: ArraySlice<UInt8>, length: Int) -> [UInt8]? {
        guard length > 0 else { return nil }
        var output = [UInt8](repeating: 0, count: length)
        var outputLength = UInt(length)
        var consumed = UInt(bytes.count)
        let status = output.withUnsafeMutableBufferPointer { target in
            bytes.withUnsafeBufferPointer { source in
                uncompress2(target.baseAddress, &outputLength, source.baseAddress, &consumed)
            }
        }
        guard status == Z_OK, outputLength == UInt(length), consumed == UInt(bytes.count) else { return nil }
        return output
    }
}
