extension ExchangeFrame {
    /// Decodes a frame a peer sent, within `limits`: a deflated payload may declare and inflate to
    /// at most `limits.largestPayload` bytes, and every count is checked against what remains of the
    /// input (each change takes at least three bytes) and against `limits.largestCount` before
    /// anything is allocated for it. Never traps.
    public init(decoding bytes: [UInt8], limits: ExchangeLimits) throws(ExchangeDecodingError) {
        guard bytes.count <= limits.largestFrame else { throw .tooLarge }
        var outer = ExchangeReader(bytes)
        let version = try outer.byte()
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let flags = try outer.byte()
        var reader: ExchangeReader
        switch flags {
        case 0:
            reader = outer
        case Self.deflatedFlag:
            let length = try outer.count(atMost: limits.largestPayload)
            guard let payload = ExchangeCompression.inflate(outer.rest(), length: length) else { throw .badCompression }
            reader = ExchangeReader(payload)
        default:
            throw .badTag
        }
        self = try Self.payload(&reader, limits: limits)
        guard reader.remaining == 0 else { throw .trailingBytes }
    }

    private static func payload(_ reader: inout ExchangeReader, limits: ExchangeLimits) throws(ExchangeDecodingError) -> ExchangeFrame {
        let kind = try reader.byte()
        let epoch = try reader.varint()
        let sentAt = try reader.time()
        let body: Body
        switch kind {
        case 0:
            let sequence = try reader.varint()
            let digest = try reader.fixed64()
            let acknowledged: Acknowledgement?
            switch try reader.byte() {
            case 0: acknowledged = nil
            case 1: acknowledged = Acknowledgement(epoch: try reader.varint(), sequence: try reader.varint())
            default: throw .badTag
            }
            body = .heartbeat(Heartbeat(sequence: sequence, digest: digest, acknowledged: acknowledged))
        case 1:
            let since = try reader.varint()
            let upTo = try reader.varint()
            guard upTo > since else { throw .badValue }
            body = .delta(Delta(since: since, upTo: upTo, changes: try reader.changes(limits: limits)))
        case 2:
            let sequence = try reader.varint()
            let changes = try reader.changes(limits: limits)
            guard !changes.contains(where: { if case .removed = $0 { true } else { false } }) else { throw .badValue }
            body = .snapshot(Snapshot(sequence: sequence, changes: changes))
        case 3:
            switch try reader.byte() {
            case 0: body = .request(.snapshot)
            case 1: body = .request(.changes(epoch: try reader.varint(), since: try reader.varint()))
            default: throw .badTag
            }
        case 4:
            body = .leaving
        default:
            throw .badTag
        }
        return ExchangeFrame(epoch: epoch, sentAt: sentAt, body: body)
    }
}

extension ExchangeReader {
    /// The fewest bytes a change takes (a tag, a name's length and one byte of it).
    static let shortestChange = 3

    mutating func changes(limits: ExchangeLimits) throws(ExchangeDecodingError) -> [ExchangeChange] {
        let count = try self.count(atMost: min(limits.largestCount, remaining / Self.shortestChange))
        var changes: [ExchangeChange] = []
        changes.reserveCapacity(count)
        for _ in 0..<count { changes.append(try change()) }
        return changes
    }

    mutating func change() throws(ExchangeDecodingError) -> ExchangeChange {
        switch try byte() {
        case 0:
            let gateway: GatewayName = try name()
            let flags = try byte()
            guard flags & ~0xF == 0 else { throw .badTag }
            let verdict: Verdict = switch flags & 0x3 {
            case 0: .up
            case 1: .down
            case 2: .unknown
            default: throw .badTag
            }
            var latency: ExchangeLatency?
            if flags & 4 != 0 {
                guard let steps = UInt32(exactly: try varint()) else { throw .tooLarge }
                latency = ExchangeLatency(steps: steps)
            }
            var load: ExchangeLoad?
            if flags & 8 != 0 {
                let thousandths = try varint()
                guard thousandths <= ExchangeLoad.largest else { throw .tooLarge }
                load = ExchangeLoad(thousandths: thousandths)
            }
            return .observation(ExchangeObservation(gateway: gateway, verdict: verdict, latency: latency, load: load))
        case 1:
            let target = try self.target()
            let flags = try byte()
            guard flags & ~0xF == 0 else { throw .badTag }
            let action: Override.Action = switch flags & 0x3 {
            case 0: .down
            case 1: .drain
            case 2: .up
            default: throw .badTag
            }
            let reason = try text(longest: OverrideRules.longestReason)
            let author = try text(longest: OverrideRules.longestAuthor)
            let setAt = try time()
            let expiresAt = try flags & 8 != 0 ? time() : nil
            let override = Override(target: target, action: action, reason: reason, author: author, setAt: setAt, expiresAt: expiresAt)
            return .override(OverrideTable.Write(override, cleared: flags & 4 != 0))
        case 2:
            return .removed(.gateway(try name()))
        case 3:
            return .removed(.override(try target()))
        default:
            throw .badTag
        }
    }

    mutating func target() throws(ExchangeDecodingError) -> Override.Target {
        switch try byte() {
        case 0: .region(try name())
        case 1: .gateway(try name())
        default: throw .badTag
        }
    }
}
