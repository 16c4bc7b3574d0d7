import MeridianCore
import Testing
@testable import MeridianServer

@Suite("Exchange records")
struct ExchangeRecordTests {
    let stream = ExchangeRecord.Stream(sender: "istanbul", receiver: "ankara", id: 1_800_000_000_000_000)
    let sender = DirectorSigningKey.insecureLoopback(for: "istanbul")
    let receiver = DirectorSigningKey.insecureLoopback(for: "ankara")

    /// The receiver's reader of `stream` (by default this suite's), with the key it derives.
    func reader(stream: ExchangeRecord.Stream? = nil, largestFrame: Int = 4096) throws -> ExchangeRecordReader {
        let key = try #require(ExchangeStreamKey(for: stream ?? self.stream, own: receiver, peer: sender.publicKey))
        return ExchangeRecordReader(key: key, largestFrame: largestFrame)
    }

    /// A record the sender (or `key`'s holder) tags for `stream`, made for the receiver.
    func sealed(_ number: UInt64, _ frame: [UInt8] = Array("frame".utf8), for stream: ExchangeRecord.Stream? = nil,
                key: DirectorSigningKey? = nil) throws -> [UInt8] {
        let streamKey = try #require(ExchangeStreamKey(for: stream ?? self.stream, own: key ?? sender, peer: receiver.publicKey))
        return ExchangeRecord(number: number, frame: frame).sealed(with: streamKey)
    }

    @Test("a director key's X25519 form is the one its private key gives, so both ends of a stream derive the same key")
    func agreement() throws {
        for _ in 0..<16 {
            let key = DirectorSigningKey.generate()
            let converted = try #require(key.publicKey.agreementKey)
            #expect(converted.rawRepresentation == key.agreementKey.publicKey.rawRepresentation)
        }
        let sending = try #require(ExchangeStreamKey(for: stream, own: sender, peer: receiver.publicKey))
        let receiving = try #require(ExchangeStreamKey(for: stream, own: receiver, peer: sender.publicKey))
        #expect(sending.tag(number: 3, frame: [1, 2, 3]) == receiving.tag(number: 3, frame: [1, 2, 3]))
        #expect(sending.tag(number: 3, frame: [1, 2, 3]) != receiving.tag(number: 4, frame: [1, 2, 3]))
        // A y at or above the field's prime is no point.
        let prime = [0xED] + [UInt8](repeating: 0xFF, count: 30) + [0x7F]
        #expect(DirectorKey(bytes: prime)?.agreementKey == nil)
    }

    @Test("records arriving a byte at a time or all at once come out whole and in order")
    func pieces() throws {
        let bytes = try sealed(1) + sealed(2, []) + sealed(7, Array(repeating: 9, count: 300))
        var whole = try reader()
        #expect(try whole.take(bytes).get().map(\.number) == [1, 2, 7])
        var trickle = try reader()
        var numbers: [UInt64] = []
        for byte in bytes { numbers += try trickle.take([byte]).get().map(\.number) }
        #expect(numbers == [1, 2, 7])
    }

    @Test("a record tagged by another director, for another stream, receiver or direction, or changed on the way is refused")
    func tags() throws {
        var other = try reader()
        let otherResult = other.take(try sealed(1, key: .insecureLoopback(for: "izmir")))
        #expect(otherResult == .failure(.badSignature))
        var elsewhere = try reader()
        let elsewhereResult = elsewhere.take(try sealed(1, for: .init(sender: "istanbul", receiver: "ankara", id: stream.id + 1)))
        #expect(elsewhereResult == .failure(.badSignature))
        var redirected = try reader()
        let redirectedResult = redirected.take(try sealed(1, for: .init(sender: "istanbul", receiver: "izmir", id: stream.id)))
        #expect(redirectedResult == .failure(.badSignature))
        // The receiver's own records on its stream to the sender are under another key.
        var reflected = try reader()
        let back = ExchangeRecord.Stream(sender: "ankara", receiver: "istanbul", id: stream.id)
        let backKey = try #require(ExchangeStreamKey(for: back, own: receiver, peer: sender.publicKey))
        let reflectedResult = reflected.take(ExchangeRecord(number: 1, frame: Array("frame".utf8)).sealed(with: backKey))
        #expect(reflectedResult == .failure(.badSignature))
        var changed = try reader()
        var bytes = try sealed(1)
        bytes[bytes.count - 1] ^= 1
        let changedResult = changed.take(bytes)
        #expect(changedResult == .failure(.badSignature))
    }

    @Test("a number not above the last is refused, and a frame over the limit is refused from its length alone")
    func numbersAndSizes() throws {
        var replay = try reader()
        let replayResult = replay.take(try sealed(5) + sealed(5))
        #expect(replayResult == .failure(.replayed))
        var backwards = try reader()
        let backwardsResult = backwards.take(try sealed(5) + sealed(4))
        #expect(backwardsResult == .failure(.replayed))
        var large = try reader(largestFrame: 100)
        let header = Array(try sealed(1, Array(repeating: 0, count: 101)).prefix(3))
        let largeResult = large.take(header)
        #expect(largeResult == .failure(.tooLarge))
        var overlong = try reader()
        let overlongResult = overlong.take([UInt8](repeating: 0xFF, count: 11))
        #expect(overlongResult == .failure(.malformed))
    }
}
