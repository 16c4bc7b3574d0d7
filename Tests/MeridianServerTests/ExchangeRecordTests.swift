import MeridianCore
import Testing
@testable import MeridianServer

@Suite("Exchange records")
struct ExchangeRecordTests {
    let stream = ExchangeRecord.Stream(sender: "istanbul", receiver: "ankara", id: 1_800_000_000_000_000)
    let key = DirectorSigningKey.insecureLoopback(for: "istanbul")

    func reader(stream: ExchangeRecord.Stream? = nil, largestFrame: Int = 4096) -> ExchangeRecordReader {
        ExchangeRecordReader(stream: stream ?? self.stream, key: key.publicKey, largestFrame: largestFrame)
    }

    func sealed(_ number: UInt64, _ frame: [UInt8] = Array("frame".utf8), for stream: ExchangeRecord.Stream? = nil,
                key: DirectorSigningKey? = nil) -> [UInt8] {
        ExchangeRecord(number: number, frame: frame).sealed(for: stream ?? self.stream, with: key ?? self.key)
    }

    @Test("records arriving a byte at a time or all at once come out whole and in order")
    func pieces() throws {
        let bytes = sealed(1) + sealed(2, []) + sealed(7, Array(repeating: 9, count: 300))
        var whole = reader()
        #expect(try whole.take(bytes).get().map(\.number) == [1, 2, 7])
        var trickle = reader()
        var numbers: [UInt64] = []
        for byte in bytes { numbers += try trickle.take([byte]).get().map(\.number) }
        #expect(numbers == [1, 2, 7])
    }

    @Test("a record signed by another key, for another stream or receiver, or changed on the way is refused")
    func signatures() {
        var other = reader()
        let otherResult = other.take(sealed(1, key: .insecureLoopback(for: "ankara")))
        #expect(otherResult == .failure(.badSignature))
        var elsewhere = reader()
        let elsewhereResult = elsewhere.take(sealed(1, for: .init(sender: "istanbul", receiver: "ankara", id: stream.id + 1)))
        #expect(elsewhereResult == .failure(.badSignature))
        var redirected = reader()
        let redirectedResult = redirected.take(sealed(1, for: .init(sender: "istanbul", receiver: "izmir", id: stream.id)))
        #expect(redirectedResult == .failure(.badSignature))
        var changed = reader()
        var bytes = sealed(1)
        bytes[bytes.count - 1] ^= 1
        let changedResult = changed.take(bytes)
        #expect(changedResult == .failure(.badSignature))
    }

    @Test("a number not above the last is refused, and a frame over the limit is refused from its length alone")
    func numbersAndSizes() {
        var replay = reader()
        let replayResult = replay.take(sealed(5) + sealed(5))
        #expect(replayResult == .failure(.replayed))
        var backwards = reader()
        let backwardsResult = backwards.take(sealed(5) + sealed(4))
        #expect(backwardsResult == .failure(.replayed))
        var large = reader(largestFrame: 100)
        let header = Array(sealed(1, Array(repeating: 0, count: 101)).prefix(3))
        let largeResult = large.take(header)
        #expect(largeResult == .failure(.tooLarge))
        var overlong = reader()
        let overlongResult = overlong.take([UInt8](repeating: 0xFF, count: 11))
        #expect(overlongResult == .failure(.malformed))
    }
}
