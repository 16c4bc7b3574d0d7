import Foundation
import MeridianCore

/// Answers redirect requests. Built once per steering snapshot: for every (service, client place,
/// lane) the decision of the snapshot's `DecisionGrid` (the one DNS answers from) is kept as ready
/// bytes (`Location: <base URL>` and the headers that follow), so a request costs a Host match, a
/// prefix-table lookup and a few copies. The JSON answer (`Accept: application/json` or
/// `?meridian=json`) decides for the client's own address and explains.
///
/// The Location's scheme and host always come from the configuration (a region's base URL, or the
/// service's fallback URL); the request contributes only its checked path and query.
///
/// A class, so that handing the current responder to a batch of requests is one reference count.
public final class RedirectResponder: Sendable {
    /// What a response was, for metrics.
    public struct Outcome: Sendable, Equatable {
        public var status: Int
        /// The index in `serviceNames` of the service the Host selected, or -1.
        public var service: Int
        /// The index in `regionNames` of the region the client was sent to, or -1.
        public var region: Int
        public var source: ClientAddressResolver.Source
        /// Whether the connection closes after this response.
        public var close: Bool
    }

    public let regionNames: [RegionName]
    public let serviceNames: [ServiceName]

    private let snapshot: SteeringSnapshot
    private let places: PlaceBuckets
    private let resolver: ClientAddressResolver
    /// Lower-cased host names and the index of the service each selects.
    private let hosts: [(name: [UInt8], service: Int)]
    private let services: [Service]
    /// Index: (service × places + bucket) × lanes + lane; `nil` for services that do not redirect.
    private let choices: [Choice?]
    /// Each service's `Strict-Transport-Security` line, for answers over TLS (`nil`: none).
    private let hstsLines: [[UInt8]?]

    /// One prebuilt answer.
    enum Choice: Sendable {
        /// `Location: <base>`, the path goes after it, then `tail` (from the CRLF ending the Location).
        case redirect(region: Int, location: [UInt8], tail: [UInt8])
        /// No site and no URL to send the client to: 503, the headers and body after the status line.
        case unavailable(headers: [UInt8], body: [UInt8])
    }

    public init(snapshot: SteeringSnapshot) {
        let configuration = snapshot.assessment.configuration
        self.snapshot = snapshot
        places = snapshot.grid.places
        resolver = ClientAddressResolver(trustedProxies: configuration.trustedProxies, header: configuration.forwardingHeader)
        services = configuration.services
        regionNames = configuration.regions.map(\.name)
        serviceNames = configuration.services.map(\.name)
        hosts = configuration.services.enumerated().flatMap { index, service in
            (service.redirect?.hosts ?? []).map { (name: Array($0.text.lowercased().utf8), service: index) }
        }
        var choices: [Choice?] = []
        choices.reserveCapacity(services.count * places.count * ClientLanes.count)
        for (index, service) in services.enumerated() {
            for bucket in 0..<places.count {
                for lane in 0..<ClientLanes.count {
                    guard service.redirect != nil else {
                        choices.append(nil)
                        continue
                    }
                    // The family decides only the addresses, which a redirect does not use.
                    let decision = snapshot.grid.decision(service: index, bucket: bucket, lane: lane, family: .v4)
                    choices.append(Self.choice(decision, regionNames: regionNames))
                }
            }
        }
        self.choices = choices
        hstsLines = services.map { service in
            service.redirect?.hstsMaxAge.map { Array("Strict-Transport-Security: max-age=\($0)\r\n".utf8) }
        }
    }

    private static func choice(_ decision: Decision, regionNames: [RegionName]) -> Choice {
        let service = decision.service
        let region = decision.chosenRegion.flatMap(regionNames.firstIndex) ?? -1
        var headers = ""
        if let maxAge = service.redirect?.maxAge, maxAge > 0 {
            headers += "Cache-Control: private, max-age=\(maxAge)\r\n"
        } else {
            headers += "Cache-Control: no-store\r\n"
        }
        headers += "X-Meridian-Service: \(service.name)\r\n"
        guard let url = decision.redirectURL else {
            let body = "no region of service \(service.name) can take requests now\n"
            headers += "Retry-After: \(max(service.ttl, 1))\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: \(body.utf8.count)\r\n"
            return .unavailable(headers: Array(headers.utf8), body: Array(body.utf8))
        }
        headers += "X-Meridian-Region: \(decision.chosenRegion?.rawValue ?? "none")\r\nContent-Length: 0\r\n"
        return .redirect(region: region, location: Array("Location: \(url.text)".utf8), tail: Array(("\r\n" + headers).utf8))
    }

    // MARK: Answering

    /// Writes the response to `head` (whose bytes are `bytes`) from `peer` into `output`.
    /// `dateLine` is the current `Date:` header line. An answer over TLS (`secure`) for a service
    /// with `hsts` carries its `Strict-Transport-Security` header.
    public func respond(to head: HTTPRequestHead, in bytes: UnsafeRawBufferPointer, peer: IPAddress,
                        dateLine: [UInt8], secure: Bool = false, into output: inout [UInt8]) -> Outcome {
        let client = resolver.resolve(peer: peer, head: head, bytes: bytes)
        var outcome = Outcome(status: 0, service: -1, region: -1, source: client.source,
                              close: !head.keepAlive || head.hasBody)
        let target: RequestTarget
        switch RequestTarget.parse(bytes, head.target) {
        case .failure(let error):
            outcome.status = error.status
            outcome.close = true
            Self.writePlain(status: error.status, body: error.reason + "\n", head: head, dateLine: dateLine,
                            close: true, into: &output)
            return outcome
        case .success(let parsed):
            target = parsed
        }
        guard let hostRange = target.authority ?? head.host, let service = self.service(for: hostRange, in: bytes) else {
            outcome.status = 404
            let host = (target.authority ?? head.host).map { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[$0]), as: UTF8.self) } ?? ""
            Self.writePlain(status: 404, body: "no service answers for host '\(host)'\n", head: head, dateLine: dateLine,
                            close: outcome.close, into: &output)
            return outcome
        }
        outcome.service = service
        let settings = services[service].redirect!
        let hsts = secure ? hstsLines[service] ?? [] : []
        let status: Int
        switch head.method {
        case .get, .head:
            status = settings.status
        case .other where settings.otherMethods == 405:
            outcome.status = 405
            Self.writePlain(status: 405, body: "only GET and HEAD are redirected for this service\n",
                            extraHeaders: "Allow: GET, HEAD\r\n" + String(decoding: hsts, as: UTF8.self), head: head, dateLine: dateLine,
                            close: outcome.close, into: &output)
            return outcome
        case .other:
            status = settings.otherMethods
        }
        if head.acceptsJSON || target.asksForJSON {
            outcome.status = 200
            outcome.region = writeJSON(service: services[service], status: status, target: target, bytes: bytes,
                                       client: client, head: head, dateLine: dateLine, hsts: hsts, close: outcome.close, into: &output)
            return outcome
        }
        let place = places.bucket(for: client.address)
        let lane = ClientLanes.lane(for: client.address)
        switch choices[(service * places.count + place.bucket) * ClientLanes.count + lane]! {
        case .redirect(let region, let location, let tail):
            outcome.status = status
            outcome.region = region
            output += Self.statusLines[status]!
            output += location
            target.write(bytes, into: &output)
            output += tail
            output += hsts
            Self.finishHead(head, dateLine: dateLine, close: outcome.close, into: &output)
        case .unavailable(let headers, let body):
            outcome.status = 503
            output += Self.statusLines[503]!
            output += headers
            output += hsts
            Self.finishHead(head, dateLine: dateLine, close: outcome.close, into: &output)
            if head.method != .head { output += body }
        }
        return outcome
    }

    /// Writes the answer to a request whose head could not be read, and says to close.
    public static func respond(to error: HTTPRequestError, dateLine: [UInt8], into output: inout [UInt8]) -> Outcome {
        let body = error.reason + "\n"
        output += HTTPStatus.statusLine(error.status).utf8
        output += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n".utf8
        output += dateLine
        output += "Connection: close\r\n\r\n".utf8
        output += body.utf8
        return Outcome(status: error.status, service: -1, region: -1, source: .peer, close: true)
    }

    /// The service whose redirect hosts include the host at `range` (port and a final dot ignored).
    private func service(for range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Int? {
        var end = range.upperBound
        if bytes[range.lowerBound] != 0x5B, let colon = range.firstIndex(where: { bytes[$0] == 0x3A }) { end = colon }
        if end > range.lowerBound, bytes[end - 1] == 0x2E { end -= 1 }
        let length = end - range.lowerBound
        return hosts.first { host in
            host.name.count == length && (0..<length).allSatisfy { offset in
                let byte = bytes[range.lowerBound + offset]
                return (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == host.name[offset]
            }
        }?.service
    }

    // MARK: Writing

    private static let statusLines: [Int: [UInt8]] = Dictionary(uniqueKeysWithValues: [200, 301, 302, 307, 308, 400, 404, 405, 503, 505].map {
        ($0, Array(HTTPStatus.statusLine($0).utf8))
    })
    private static let closeLine = Array("Connection: close\r\n\r\n".utf8)
    private static let keepAliveLine = Array("Connection: keep-alive\r\n\r\n".utf8)
    private static let endOfHead = Array("\r\n".utf8)

    /// The Date line, the Connection line when it says something the version does not, and the
    /// blank line.
    private static func finishHead(_ head: HTTPRequestHead, dateLine: [UInt8], close: Bool, into output: inout [UInt8]) {
        output += dateLine
        if close {
            output += closeLine
        } else if head.version == .http10 {
            output += keepAliveLine
        } else {
            output += endOfHead
        }
    }

    private static func writePlain(status: Int, body: String, extraHeaders: String = "", head: HTTPRequestHead,
                                   dateLine: [UInt8], close: Bool, into output: inout [UInt8]) {
        output += HTTPStatus.statusLine(status).utf8
        output += (extraHeaders + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n").utf8
        finishHead(head, dateLine: dateLine, close: close, into: &output)
        if head.method != .head { output += body.utf8 }
    }

    /// The JSON answer: where the client would be redirected, and the decision explained. Returns
    /// the region chosen (its index, or -1).
    private func writeJSON(service: Service, status: Int, target: RequestTarget, bytes: UnsafeRawBufferPointer,
                           client: (address: IPAddress, source: ClientAddressResolver.Source), head: HTTPRequestHead,
                           dateLine: [UInt8], hsts: [UInt8], close: Bool, into output: inout [UInt8]) -> Int {
        let decision = snapshot.decide(service, for: client.address)
        var url: String?
        if let base = decision.redirectURL {
            var path: [UInt8] = []
            target.write(bytes, into: &path)
            url = base.text + String(decoding: path, as: UTF8.self)
        }
        let answer = RedirectAnswer(url: url, status: url == nil ? 503 : status, clientSource: client.source.rawValue,
                                    decision: DecisionReport(decision, address: client.address, at: decision.at.iso8601))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let body = ((try? encoder.encode(answer)) ?? Data("{}".utf8)) + Data("\n".utf8)
        output += Self.statusLines[200]!
        output += ("Content-Type: application/json\r\nCache-Control: no-store\r\n"
                   + "X-Meridian-Service: \(service.name)\r\nContent-Length: \(body.count)\r\n").utf8
        output += hsts
        Self.finishHead(head, dateLine: dateLine, close: close, into: &output)
        if head.method != .head { output += body }
        return decision.chosenRegion.flatMap(regionNames.firstIndex) ?? -1
    }
}

/// The JSON answer of the redirector, for API clients that choose their base URL at start-up.
public struct RedirectAnswer: Codable, Sendable, Equatable {
    /// The URL the client would be redirected to (`nil` when no site can take it).
    public var url: String?
    /// The status a redirect would have had (503 when there is nowhere to go).
    public var status: Int
    /// Where the client address came from: `peer` or `forwarded`.
    public var clientSource: String
    public var decision: DecisionReport
}
