/// What response-rate limiting sends instead of a limited answer (a "slip"): the query's header and
/// question with QR and TC set and no records, so that a real resolver asks again over TCP, where a
/// forged source cannot follow. It is never larger than the query.
public enum TruncatedAnswer {
    /// Writes the truncated answer to `query` into `output` and returns its length, or `nil` when the
    /// query has not exactly one question of plain labels (it is then dropped).
    public static func write(for query: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        let count = query.count
        guard count >= 12, query[4] == 0, query[5] == 1 else { return nil }
        var offset = 12
        while true {
            guard offset < count else { return nil }
            let length = Int(query[offset])
            if length == 0 { break }
            guard length <= 63 else { return nil }
            offset += 1 + length
        }
        let end = offset + 1 + 4
        guard end <= count, end <= output.count else { return nil }
        output.copyMemory(from: UnsafeRawBufferPointer(rebasing: query[0..<end]))
        output[2] = 0x80 | query[2] & 0x79 | 0x02  // QR, the query's opcode and RD, TC
        output[3] = query[3] & 0x10                 // CD; RCODE 0
        for index in 6..<12 { output[index] = 0 }   // no answer, authority or additional records
        return end
    }
}
