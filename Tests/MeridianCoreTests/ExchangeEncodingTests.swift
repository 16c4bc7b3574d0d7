import Foundation
import Testing
@testable import MeridianCore

@Suite("Exchange encoding")
struct ExchangeEncodingTests {
    let configuration = TestWorld.turkey()
    var limits: ExchangeLimits { ExchangeLimits(for: configuration) }
    let now = Timestamp(nanosecondsSinceEpoch: 1_800_000_000_123_456_789)

    func observation(_ gateway: GatewayName, _ verdict: Verdict = .up, steps: UInt32? = 123) -> ExchangeChange {
        .observation(ExchangeObservation(gateway: gateway, verdict: verdict, latency: steps.map(ExchangeLatency.init(steps:))))
    }

    func write(_ target: Override.Target, cleared: Bool = false, expires: Bool = true, reason: String = "drill ü") -> ExchangeChange {
        .override(OverrideTable.Write(Override(target: target, action: .drain, reason: reason, author: "ops",
                                               setAt: now - .seconds(5), expiresAt: expires ? now + .seconds(600) : nil),
                                      cleared: cleared))
    }

    var frames: [ExchangeFrame] {
        [
            .init(epoch: 1, sentAt: now, body: .heartbeat(.init(sequence: 42, digest: .max, acknowledged: nil))),
            .init(epoch: .max, sentAt: Timestamp(nanosecondsSinceEpoch: -5), body: .heartbeat(.init(
                sequence: 0, digest: 1, acknowledged: .init(epoch: 9, sequence: .max)))),
            .init(epoch: 2, sentAt: now, body: .delta(.init(since: 3, upTo: 9, changes: [
                observation("istanbul-1", .down, steps: nil), observation("ankara-2", .unknown, steps: .max),
                write(.region("ankara")), write(.gateway("istanbul-2"), cleared: true, expires: false),
                .removed(.gateway("ankara-1")), .removed(.override(.region("istanbul"))),
            ]))),
            .init(epoch: 2, sentAt: now, body: .snapshot(.init(sequence: 9, changes: [observation("istanbul-1"), write(.region("ankara"))]))),
            .init(epoch: 2, sentAt: now, body: .snapshot(.init(sequence: 0, changes: []))),
            .init(epoch: 3, sentAt: now, body: .request(.snapshot)),
            .init(epoch: 3, sentAt: now, body: .request(.changes(epoch: 77, since: 1 << 40))),
            .init(epoch: 4, sentAt: now, body: .leaving),
        ]
    }

    @Test("every kind of frame decodes to what was encoded, compressed or not, and starts with version 3")
    func roundTrip() throws {
        for frame in frames {
            for compressing in [false, true] {
                let bytes = frame.encoded(compressing: compressing)
                #expect(bytes.first == 3)
                #expect(try ExchangeFrame(decoding: bytes, limits: limits) == frame)
            }
        }
    }

    @Test("a large snapshot is deflated, and shorter for it; a short frame is not")
    func compression() throws {
        let world = TestWorld.turkey(istanbulGateways: 250, ankaraGateways: 250)
        let changes = world.gateways.map { observation($0.name, steps: 50) }
        let frame = ExchangeFrame(epoch: 1, sentAt: now, body: .snapshot(.init(sequence: 500, changes: changes)))
        let plain = frame.encoded(compressing: false), deflated = frame.encoded()
        #expect(plain[1] == 0 && deflated[1] == 1)
        #expect(deflated.count * 4 < plain.count, "\(deflated.count) bytes deflated, \(plain.count) plain")
        #expect(try ExchangeFrame(decoding: deflated, limits: ExchangeLimits(for: world)) == frame)
        #expect(frames[0].encoded()[1] == 0)
    }

    @Test("a JSON report (version 2) or another version is refused as such")
    func versions() {
        let json = Array(#"{"from":"ankara"}"#.utf8)
        #expect(throws: ExchangeDecodingError.unsupportedVersion(UInt8(ascii: "{"))) { try ExchangeFrame(decoding: json, limits: limits) }
        var bytes = frames[0].encoded()
        bytes[0] = 2
        #expect(throws: ExchangeDecodingError.unsupportedVersion(2)) { try ExchangeFrame(decoding: bytes, limits: limits) }
        bytes[0] = 3
        bytes[1] = 2
        #expect(throws: ExchangeDecodingError.badTag) { try ExchangeFrame(decoding: bytes, limits: limits) }
    }

    @Test("every proper prefix of a frame is refused, and so are bytes after it")
    func truncation() {
        for frame in frames {
            let bytes = frame.encoded()
            for length in 0..<bytes.count {
                #expect(throws: ExchangeDecodingError.self) { try ExchangeFrame(decoding: Array(bytes.prefix(length)), limits: limits) }
            }
            // After a deflated payload, a byte more is a zlib stream that does not end where it should.
            let expected: ExchangeDecodingError = bytes[1] == 1 ? .badCompression : .trailingBytes
            #expect(throws: expected) { try ExchangeFrame(decoding: bytes + [0], limits: limits) }
        }
    }

    @Test("a zlib bomb fails once it has filled the declared length, and a length over the limit is refused unread")
    func bomb() throws {
        let zeros = [UInt8](repeating: 0, count: 16 << 20)
        let bomb = try #require(ExchangeCompression.deflate(zeros))
        var writer = ExchangeWriter()
        writer.byte(3)
        writer.byte(1)
        writer.varint(UInt64(limits.largestPayload))
        writer.append(bomb)
        let clock = ContinuousClock()
        let started = clock.now
        // Its deflated bytes alone are over what a frame may take under this configuration.
        #expect(throws: ExchangeDecodingError.tooLarge) { try ExchangeFrame(decoding: writer.bytes, limits: limits) }
        let roomy = ExchangeLimits(largestCount: 10, largestPayload: 1 << 20)
        #expect(bomb.count < roomy.largestFrame)
        var declared = ExchangeWriter()
        declared.byte(3)
        declared.byte(1)
        declared.varint(UInt64(roomy.largestPayload))
        declared.append(bomb)
        #expect(throws: ExchangeDecodingError.badCompression) { try ExchangeFrame(decoding: declared.bytes, limits: roomy) }
        var over = ExchangeWriter()
        over.byte(3)
        over.byte(1)
        over.varint(UInt64(roomy.largestPayload) + 1)
        over.append(bomb)
        #expect(throws: ExchangeDecodingError.tooLarge) { try ExchangeFrame(decoding: over.bytes, limits: roomy) }
        #expect(clock.now - started < .seconds(2))
    }

    @Test("a count over the configuration's room or over what the input holds is refused before anything is allocated")
    func counts() {
        var writer = ExchangeWriter()
        for byte: UInt8 in [3, 0, 2] { writer.byte(byte) }
        writer.varint(1)
        writer.time(now)
        writer.varint(5)
        writer.varint(UInt64(limits.largestCount) + 1)
        #expect(throws: ExchangeDecodingError.tooLarge) { try ExchangeFrame(decoding: writer.bytes, limits: limits) }
        var huge = ExchangeWriter()
        for byte: UInt8 in [3, 0, 2] { huge.byte(byte) }
        huge.varint(1)
        huge.time(now)
        huge.varint(5)
        huge.varint(.max)
        #expect(throws: ExchangeDecodingError.tooLarge) { try ExchangeFrame(decoding: huge.bytes, limits: limits) }
        let few = ExchangeLimits(largestCount: 1, largestPayload: 4096)
        #expect(throws: ExchangeDecodingError.tooLarge) { try ExchangeFrame(decoding: frames[3].encoded(), limits: few) }
    }

    @Test("names that break the name rules, text that is not UTF-8, overlong varints and ranges out of order are refused")
    func malformed() {
        /// The plain encoding of `frame` with the first `text` in it replaced by `replacement` (as long).
        func tampered(_ frame: ExchangeFrame, _ text: String, _ replacement: [UInt8]) -> [UInt8] {
            var bytes = frame.encoded(compressing: false)
            let pattern = Array(text.utf8)
            if let start = (0...(bytes.count - pattern.count)).first(where: { Array(bytes[$0..<$0 + pattern.count]) == pattern }) {
                bytes.replaceSubrange(start..<start + pattern.count, with: replacement)
            }
            return bytes
        }
        let snapshot = ExchangeFrame(epoch: 1, sentAt: now, body: .snapshot(.init(sequence: 1, changes: [observation("ankara-1")])))
        #expect(throws: ExchangeDecodingError.badName) {
            try ExchangeFrame(decoding: tampered(snapshot, "ankara-1", Array("Ankara-1".utf8)), limits: limits)
        }
        #expect(throws: ExchangeDecodingError.badName) {
            try ExchangeFrame(decoding: tampered(snapshot, "ankara-1", Array("ankara-\u{7}".utf8)), limits: limits)
        }
        let withWrite = ExchangeFrame(epoch: 1, sentAt: now, body: .snapshot(.init(sequence: 1, changes: [write(.region("ankara"), reason: "drill")])))
        #expect(throws: ExchangeDecodingError.badText) {
            try ExchangeFrame(decoding: tampered(withWrite, "drill", [0xFF] + Array("rill".utf8)), limits: limits)
        }
        let overlong: [UInt8] = [3, 0, 0] + [UInt8](repeating: 0xFF, count: 10) + [1]
        #expect(throws: ExchangeDecodingError.badVarint) { try ExchangeFrame(decoding: overlong, limits: limits) }
        var backwards = ExchangeWriter()
        for byte: UInt8 in [3, 0, 1] { backwards.byte(byte) }
        backwards.varint(1)
        backwards.time(now)
        backwards.varint(9)
        backwards.varint(9)
        backwards.varint(0)
        #expect(throws: ExchangeDecodingError.badValue) { try ExchangeFrame(decoding: backwards.bytes, limits: limits) }
        let removal = ExchangeFrame(epoch: 1, sentAt: now, body: .snapshot(.init(sequence: 1, changes: [.removed(.gateway("ankara-1"))])))
        #expect(throws: ExchangeDecodingError.badValue) { try ExchangeFrame(decoding: removal.encoded(), limits: limits) }
    }

    @Test("whatever bytes come in, a frame decoded from them encodes back to a frame equal to it")
    func mutations() throws {
        var random = SplitMix(seed: 13)
        var decoded = 0
        for _ in 0..<20_000 {
            var bytes = frames[Int(random.next() % UInt64(frames.count))].encoded(compressing: random.next() % 2 == 0)
            for _ in 0...(random.next() % 4) {
                let index = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[index] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes.remove(at: index)
                default: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: index)
                }
            }
            guard let frame = try? ExchangeFrame(decoding: bytes, limits: limits) else { continue }
            decoded += 1
            #expect(try ExchangeFrame(decoding: frame.encoded(), limits: limits) == frame)
        }
        #expect(decoded > 0, "no mutation decoded: the mutations test nothing")
    }

    @Test("latency is quantized to 0.1 ms steps, held at zero and at the largest step")
    func latency() {
        #expect(ExchangeLatency(quantizing: .microseconds(1249)).steps == 12)
        #expect(ExchangeLatency(quantizing: .microseconds(1250)).steps == 13)
        #expect(ExchangeLatency(quantizing: .milliseconds(-3)).steps == 0)
        #expect(ExchangeLatency(quantizing: .seconds(1_000_000)).steps == .max)
        #expect(ExchangeLatency(steps: 12).duration == .microseconds(1200))
    }
}
