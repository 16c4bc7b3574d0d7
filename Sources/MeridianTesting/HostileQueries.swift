/// Queries built to make an answer larger than its transport can carry, for tests and fuzz seeds.
public enum HostileQueries {
    /// A query of as many questions as fit in `size` bytes whose names expand when an answer echoes
    /// them: the first name's first label holds, inside its data, a second name; once an answer
    /// has passed the 16 KiB that compression pointers can reach, every 6-byte question pointing at
    /// that inner name costs its whole 67 bytes again.
    public static func expandingQuestions(size: Int = 65535) -> [UInt8] {
        var name: [UInt8] = [63, 61] + [UInt8](repeating: 0x61, count: 61) + [0]  // inner name at offset 13
        for letter: UInt8 in [0x62, 0x63] { name += [63] + [UInt8](repeating: letter, count: 63) }
        name += [7] + Array("example".utf8) + [4] + Array("test".utf8) + [0]
        let first = name + [0, 1, 0, 1]
        let padding = (16 * 1024) / 6 + 1  // questions that compress, to reach past pointer range
        let count = (size - 12 - first.count) / 6 + 1
        var bytes: [UInt8] = [0x12, 0x34, 0x01, 0x00, UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count),
                              0, 0, 0, 0, 0, 0]
        bytes += first
        for index in 1..<count { bytes += [0xC0, index < padding ? 0x0C : 0x0D, 0, 1, 0, 1] }
        return bytes
    }
}
