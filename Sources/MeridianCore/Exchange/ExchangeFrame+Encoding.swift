/// The binary encoding, version 3 (the JSON reports are version 2):
///
///     frame    = version(3) flags payload            flags bit 0: payload deflated (zlib)
///                                                     deflated: varint(length) zlib-bytes
///     payload  = kind epoch time body                 kind: 0 heartbeat, 1 delta, 2 snapshot, 3 request,
///                                                     4 leaving (no body)
///     heartbeat= varint(sequence) fixed64(digest) ack
///     ack      = 0 | 1 varint(epoch) varint(sequence)
///     delta    = varint(since) varint(upTo) varint(count) change*
///     snapshot = varint(sequence) varint(count) change*
///     request  = 0 | 1 varint(epoch) varint(since)
///     change   = 0 name verdict-byte [varint(latency steps)] [varint(load thousandths)]
///                                                     bits 0-1 verdict, bit 2 latency, bit 3 load
///              | 1 target action-byte text(reason) text(author) time(setAt) [time(expiresAt)]
///                                                     bits 0-1 action, bit 2 cleared, bit 3 expiry
///              | 2 name | 3 target                    removal of a gateway's observation, a target's write
///     target   = 0 name | 1 name                      region, gateway
///
/// Names are one length byte and 1-63 bytes that keep the name rules; text is a varint length and
/// UTF-8; times are zigzag varints of nanoseconds since the epoch.
extension ExchangeFrame {
    public static let version: UInt8 = 3
    static let deflatedFlag: UInt8 = 1
    /// Payloads shorter than this are not worth deflating.
    static let shortestDeflated = 96

    /// The frame's bytes, its payload deflated when that makes them shorter.
    public func encoded(compressing: Bool = true) -> [UInt8] {
        let payload = encodedPayload()
        if compressing, payload.count >= Self.shortestDeflated, let deflated = ExchangeCompression.deflate(payload) {
            var writer = ExchangeWriter(reservingCapacity: deflated.count + 12)
            writer.byte(Self.version)
            writer.byte(Self.deflatedFlag)
            writer.varint(UInt64(payload.count))
            writer.append(deflated)
            if writer.bytes.count < payload.count + 2 { return writer.bytes }
        }
        return [Self.version, 0] + payload
    }

    func encodedPayload() -> [UInt8] {
        var writer = ExchangeWriter()
        switch body {
        case .heartbeat: writer.byte(0)
        case .delta: writer.byte(1)
        case .snapshot: writer.byte(2)
        case .request: writer.byte(3)
        case .leaving: writer.byte(4)
        }
        writer.varint(epoch)
        writer.time(sentAt)
        switch body {
        case .heartbeat(let heartbeat):
            writer.varint(heartbeat.sequence)
            writer.fixed64(heartbeat.digest)
            if let acknowledged = heartbeat.acknowledged {
                writer.byte(1)
                writer.varint(acknowledged.epoch)
                writer.varint(acknowledged.sequence)
            } else {
                writer.byte(0)
            }
        case .delta(let delta):
            writer.varint(delta.since)
            writer.varint(delta.upTo)
            writer.changes(delta.changes)
        case .snapshot(let snapshot):
            writer.varint(snapshot.sequence)
            writer.changes(snapshot.changes)
        case .request(.snapshot):
            writer.byte(0)
        case .request(.changes(let epoch, let since)):
            writer.byte(1)
            writer.varint(epoch)
            writer.varint(since)
        case .leaving:
            break
        }
        return writer.bytes
    }
}

extension ExchangeWriter {
    mutating func changes(_ changes: [ExchangeChange]) {
        varint(UInt64(changes.count))
        for change in changes { self.change(change) }
    }

    mutating func change(_ change: ExchangeChange) {
        switch change {
        case .observation(let observation):
            byte(0)
            name(observation.gateway)
            let verdict: UInt8 = switch observation.verdict {
            case .up: 0
            case .down: 1
            case .unknown: 2
            }
            byte(verdict | (observation.latency == nil ? 0 : 4) | (observation.load == nil ? 0 : 8))
            if let latency = observation.latency { varint(UInt64(latency.steps)) }
            if let load = observation.load { varint(load.thousandths) }
        case .override(let write):
            byte(1)
            let override = write.override
            target(override.target)
            let action: UInt8 = switch override.action {
            case .down: 0
            case .drain: 1
            case .up: 2
            }
            byte(action | (write.cleared ? 4 : 0) | (override.expiresAt == nil ? 0 : 8))
            text(override.reason)
            text(override.author)
            time(override.setAt)
            if let expiresAt = override.expiresAt { time(expiresAt) }
        case .removed(.gateway(let gateway)):
            byte(2)
            name(gateway)
        case .removed(.override(let target)):
            byte(3)
            self.target(target)
        }
    }

    mutating func target(_ target: Override.Target) {
        switch target {
        case .region(let region):
            byte(0)
            name(region)
        case .gateway(let gateway):
            byte(1)
            name(gateway)
        }
    }
}
