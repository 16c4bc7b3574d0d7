import MeridianCore
import NIOCore
import Testing
@testable import MeridianServer

@Suite("Exchange streams")
struct ExchangeStreamTests {
    let configuration = Self.turkey()
    let now = Timestamp.now
    let stream = ExchangeRecord.Stream(sender: "istanbul", receiver: "ankara", id: 1)
    let key = DirectorSigningKey.insecureLoopback(for: "istanbul")
    let receiverKey = DirectorSigningKey.insecureLoopback(for: "ankara")

    /// Istanbul and Ankara with two gateways each, nothing listening.
    static func turkey() -> Configuration {
        let regions = [("istanbul", 1), ("ankara", 2)].map { name, index in
            let region = RegionName(name)!
            let probe = ProbeSettings(targetHost: "127.0.0.1", targetPort: 18080)
            let gateways = (1...2).map { number in
                Gateway(name: GatewayName("\(name.prefix(3))-\(number)")!, region: region, address: IPAddress("127.0.\(index).\(number)")!,
                        probe: probe)
            }
            return Region(name: region, location: GeoPoint(latitude: 40, longitude: Double(28 + index))!, director: DirectorEndpoints(
                name: DirectorName(name)!, dns: SocketAddress("127.0.0.1:\(15000 + index)")!, redirect: SocketAddress("127.0.0.1:\(16000 + index)")!,
                api: SocketAddress("127.0.0.1:\(17000 + index)")!), gateways: gateways)
        }
        return Configuration(zone: DomainName("example.test")!, regions: regions, services: [], networks: [])
    }

    func hub(epoch: UInt64) -> ExchangeHub {
        let hub = ExchangeHub(epoch: epoch)
        hub.configure(configuration, maximumSkew: .seconds(30), heartbeat: .seconds(1))
        return hub
    }

    func own(down: Set<GatewayName> = []) -> [Observation] {
        configuration.gateways.map { gateway in
            Observation(gateway: gateway.name, observer: "istanbul", verdict: down.contains(gateway.name) ? .down : .up,
                        latency: .milliseconds(7), at: now)
        }
    }

    /// `frames` sealed as records numbered from `first`, one buffer per record.
    func records(_ frames: [[UInt8]], from first: UInt64 = 1, for stream: ExchangeRecord.Stream? = nil) -> [ByteBuffer] {
        frames.enumerated().map { index, frame in
            ByteBuffer(bytes: ExchangeRecord(number: first + UInt64(index), frame: frame)
                .sealed(with: ExchangeStreamKey(for: stream ?? self.stream, own: key, peer: receiverKey.publicKey)!))
        }
    }

    func read(_ buffers: [ByteBuffer], into receiver: ExchangeHub, stream: ExchangeRecord.Stream? = nil) async throws
        -> (cut: ExchangeStreamReading.Cut?, receptions: [ExchangeLedger<DirectorName>.Reception]) {
        var receptions: [ExchangeLedger<DirectorName>.Reception] = []
        let streamKey = try #require(ExchangeStreamKey(for: stream ?? self.stream, own: receiverKey, peer: key.publicKey))
        let cut = try await ExchangeStreamReading.read(buffers.async, stream: stream ?? self.stream, from: "istanbul",
                                                       key: streamKey, hub: receiver, clock: { now }) { receptions.append($0) }
        return (cut, receptions)
    }

    @Test("a stream's frames reach the receiver's view as the sender's own observations, and a verdict change follows")
    func observationsArrive() async throws {
        let sender = hub(epoch: 1), receiver = hub(epoch: 2)
        _ = sender.sync(observations: own(), overrides: [], at: now)
        #expect(receiver.open(stream: 1, from: "istanbul"))
        var result = try await read(records(sender.frames(for: "ankara", at: now)), into: receiver)
        #expect(result.cut == nil)
        #expect(result.receptions.first?.observationsChanged == true)
        #expect(Set(receiver.observations.map(\.gateway)) == Set(configuration.gateways.map(\.name)))
        #expect(receiver.observations.allSatisfy { $0.observer == "istanbul" && $0.verdict == .up })
        let gateway = try #require(configuration.gateways.first?.name)
        #expect(sender.sync(observations: own(down: [gateway]), overrides: [], at: now))
        result = try await read(records(sender.frames(for: "ankara", at: now), from: 2), into: receiver)
        #expect(result.cut == nil)
        #expect(receiver.observations.first { $0.gateway == gateway }?.verdict == .down)
    }

    @Test("a stream is cut at a record signed for another stream, a frame that does not decode, or once a newer stream opened")
    func cuts() async throws {
        let sender = hub(epoch: 1), receiver = hub(epoch: 2)
        _ = sender.sync(observations: own(), overrides: [], at: now)
        #expect(receiver.open(stream: 1, from: "istanbul"))
        let frames = sender.frames(for: "ankara", at: now)
        let elsewhere = ExchangeRecord.Stream(sender: "istanbul", receiver: "ankara", id: 9)
        #expect(try await read(records(frames, for: elsewhere), into: receiver).cut == .record(.badSignature))
        let json = Array(#"{"from":"istanbul"}"#.utf8)
        #expect(try await read(records([json]), into: receiver).cut == .frame(.malformed(.unsupportedVersion(UInt8(ascii: "{")))))
        #expect(receiver.open(stream: 5, from: "istanbul"))
        #expect(!receiver.open(stream: 4, from: "istanbul"), "an older stream cannot take over again")
        #expect(try await read(records(frames), into: receiver).cut == .frame(.superseded))
        #expect(receiver.observations.isEmpty)
    }

    @Test("a frame that breaks the exchange's rules cuts the stream and nothing of it is taken")
    func refusedFrame() async throws {
        let receiver = hub(epoch: 2)
        #expect(receiver.open(stream: 1, from: "istanbul"))
        let foreign = ExchangeFrame(epoch: 1, sentAt: now, body: .snapshot(.init(sequence: 1, changes: [
            .observation(.init(gateway: "nowhere-1", verdict: .down, latency: nil)),
        ])))
        let result = try await read(records([foreign.encoded()]), into: receiver)
        guard case .frame(.refused(let refusal)) = result.cut else {
            Issue.record("not refused: \(String(describing: result.cut))")
            return
        }
        #expect(refusal.reason == .unknownGateway)
        #expect(receiver.observations.isEmpty)
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence, as a request body delivers its pieces.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
