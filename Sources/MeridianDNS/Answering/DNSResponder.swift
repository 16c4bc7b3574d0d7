import MeridianCore
import NIOCore

/// Answers DNS queries as an authoritative-only server for one zone, steering service names with
/// the decision engine. It knows nothing about sockets: bytes and the client's address in, bytes
/// out (or nothing, for packets that must not be answered).
public struct DNSResponder: Sendable {
    /// How the query arrived, which decides the size limit of the response.
    public enum Transport: Sendable {
        case udp
        case tcp
    }

    /// What can be switched off, and how the server names itself.
    public struct Options: Sendable {
        /// Answer `TXT _explain.<service>` with the decision for the asking client.
        public var explainRecords: Bool
        /// The sources that get `_explain` over UDP; others get a truncated answer and ask again over
        /// TCP, so that the long answer cannot be reflected at a forged source.
        public var explainOverUDP: [IPPrefix]
        /// Answer `CH TXT id.server`, `hostname.bind`, `version.server` and `version.bind`, and
        /// NSID when a query asks for it.
        public var identityRecords: Bool
        /// The answering director's name: `id.server`, `hostname.bind` and NSID.
        public var identity: String
        public var version: String

        public init(explainRecords: Bool = true, explainOverUDP: [IPPrefix] = [], identityRecords: Bool = true,
                    identity: String, version: String) {
            self.explainRecords = explainRecords
            self.explainOverUDP = explainOverUDP
            self.identityRecords = identityRecords
            self.identity = identity
            self.version = version
        }
    }

    /// A response and what metrics count about it.
    public struct Response: Sendable {
        public var bytes: ByteBuffer
        public var responseCode: ResponseCode
        public var queryType: RecordType?
        /// The region a steered answer sent the client to.
        public var region: RegionName?
        public var usedClientSubnet: Bool
        /// Whether the answer came from the zone's static records.
        public var fromRecords = false
    }

    /// The largest UDP response sent, whatever the client offers (the DNS flag day 2020 figure).
    public static let maximumUDPPayload = 1232
    /// The largest message a TCP connection can frame: its length is a 16-bit prefix.
    public static let maximumTCPMessage = Int(UInt16.max)

    public let zone: AuthoritativeZone
    public let options: Options
    /// Signs answers to queries with the DO bit; `nil` when the zone is not signed.
    public var signer: ZoneSigner?

    public init(zone: AuthoritativeZone, options: Options, signer: ZoneSigner? = nil) {
        self.zone = zone
        self.options = options
        self.signer = signer
    }

    /// The response to `packet` from `client`, or `nil` when the packet is dropped (shorter than a
    /// header, or itself a response).
    public func respond(to packet: ByteBuffer, from client: IPAddress, over transport: Transport,
                        snapshot: SteeringSnapshot) -> Response? {
        guard let header = try? DNSHeader(peeking: packet), !header.isResponse else { return nil }
        let query: DNSMessage
        do {
            query = try DNSMessage(decoding: packet)
        } catch {
            return finish(DNSMessage(header: responseHeader(for: header)), rcode: .formatError, query: nil, transport: transport)
        }
        // The question is echoed only when there is exactly one: a FORMERR for many questions must not
        // grow with them (a 64 KiB query of compressed names would expand past what TCP can frame).
        var response = DNSMessage(header: responseHeader(for: header), questions: query.questions.count == 1 ? query.questions : [])
        if let edns = query.edns {
            // NSID (RFC 5001): the answering director's name, when asked and identity answers are on.
            response.edns = EDNS(udpPayloadSize: UInt16(Self.maximumUDPPayload), dnssecOK: edns.dnssecOK,
                                 nsid: edns.nsid != nil && options.identityRecords ? Array(options.identity.utf8) : nil)
            response.edns?.compactOK = edns.compactOK && signer != nil
        }
        guard header.opcode == .query else { return finish(response, rcode: .notImplemented, query: query, transport: transport) }
        guard query.questions.count == 1, let question = query.questions.first else {
            return finish(response, rcode: .formatError, query: query, transport: transport)
        }
        if let edns = query.edns, edns.version > 0 {
            return finish(response, rcode: .badVersion, query: query, transport: transport)
        }
        if let subnet = query.edns?.clientSubnet, subnet.scopePrefixLength != 0 {
            return finish(response, rcode: .formatError, query: query, transport: transport)
        }
        switch question.recordClass {
        case .chaos:
            return answerChaos(question, response: response, query: query, transport: transport)
        case .internet, .any:
            return answerInternet(question, response: response, query: query, client: client, transport: transport,
                                  snapshot: snapshot)
        default:
            return finish(response, rcode: .refused, query: query, transport: transport)
        }
    }

    private func responseHeader(for query: DNSHeader) -> DNSHeader {
        DNSHeader(id: query.id, isResponse: true, opcode: query.opcode, authoritative: false,
                  recursionDesired: query.recursionDesired, checkingDisabled: query.checkingDisabled)
    }

    // MARK: IN

    private func answerInternet(_ question: Question, response: DNSMessage, query: DNSMessage, client: IPAddress,
                                transport: Transport, snapshot: SteeringSnapshot) -> Response {
        var response = response
        let kind = zone.kind(of: question.name)
        if case .outside = kind { return finish(response, rcode: .refused, query: query, transport: transport) }
        response.header.authoritative = true
        if question.type == .axfr || question.type == .ixfr {
            return finish(response, rcode: .refused, query: query, transport: transport)
        }
        let name = question.name
        var region: RegionName?
        var subnetUsed = false
        var fromRecords = false
        switch kind {
        case .outside:
            break
        case .nonexistent:
            response.authority = [zone.negativeSOA]
            return finish(response, rcode: .nameError, query: query, transport: transport)
        case .emptyNonTerminal:
            break
        case .apex:
            switch question.type {
            case .soa, .any:
                response.answers = [ResourceRecord(name: name, ttl: zone.infrastructureTTL, data: .soa(zone.soa))]
            case .ns:
                response.answers = zone.nameServers.map { ResourceRecord(name: name, ttl: zone.infrastructureTTL, data: .ns($0.name)) }
                response.additional = glue()
            case .dnskey:
                response.answers = signer?.dnskeyRecords ?? []
            case .cds:
                response.answers = signer?.cdsRecords ?? []
            case .cdnskey:
                response.answers = signer?.cdnskeyRecords ?? []
            default:
                response.answers = zone.apexRecords[question.type] ?? []
                fromRecords = !response.answers.isEmpty
            }
        case .records(let own):
            let answer = staticAnswer(own, to: question, query: query, client: client, snapshot: snapshot)
            response.answers = answer.records
            region = answer.region
            fromRecords = true
        case .delegation(let cut):
            // The parent side of a cut answers only DS (there is none: NODATA); the rest is referred.
            if name == cut && question.type == .ds { break }
            response.header.authoritative = false
            response.authority = zone.delegation(at: cut)
            response.additional = response.authority.compactMap { record -> [ResourceRecord]? in
                guard case .ns(let server) = record.data, server.isWithin(zone.apex) else { return nil }
                return zone.addresses(of: server)
            }.flatMap { $0 }
            var referral = finish(response, rcode: .noError, query: query, transport: transport)
            referral.fromRecords = true
            return referral
        case .nameServer(let address):
            if (question.type == .a && address.family == .v4) || (question.type == .aaaa && address.family == .v6)
                || question.type == .any {
                response.answers = [ResourceRecord(name: name, ttl: zone.infrastructureTTL,
                                                   data: address.family == .v4 ? .a(address) : .aaaa(address))]
            }
        case .service(let service):
            guard [.a, .aaaa, .any].contains(question.type) else { break }
            // ANY is answered minimally (RFC 8482): with the A records.
            let family: AddressFamily = question.type == .aaaa ? .v6 : .v4
            let decision = decide(service, query: query, client: client, family: family, snapshot: snapshot)
            region = decision.chosenRegion
            response.answers = decision.addresses.map {
                ResourceRecord(name: name, ttl: decision.ttl, data: family == .v4 ? .a($0) : .aaaa($0))
            }
            subnetUsed = echoClientSubnet(into: &response, query: query, scope: decision)
        case .explain(let service):
            guard options.explainRecords else {
                response.authority = [zone.negativeSOA]
                return finish(response, rcode: .nameError, query: query, transport: transport)
            }
            if transport == .udp, !options.explainOverUDP.contains(where: { $0.contains(client) }) {
                response.header.truncated = true
                return finish(response, rcode: .noError, query: query, transport: transport)
            }
            if question.type == .txt || question.type == .any {
                let decision = decide(service, query: query, client: client, family: nil, snapshot: snapshot)
                response.answers = [ResourceRecord(name: name, ttl: 0, data: .text(explanation(decision)))]
                subnetUsed = echoClientSubnet(into: &response, query: query, scope: decision)
            }
        }
        if response.answers.isEmpty { response.authority = [zone.negativeSOA] }
        var result = finish(response, rcode: .noError, query: query, transport: transport)
        result.region = region
        result.usedClientSubnet = subnetUsed
        result.fromRecords = fromRecords
        return result
    }

    private func glue() -> [ResourceRecord] {
        zone.nameServers.map { server in
            ResourceRecord(name: server.name, ttl: zone.infrastructureTTL,
                           data: server.address.family == .v4 ? .a(server.address) : .aaaa(server.address))
        }
    }

    /// Decides for the client: located from the client subnet when the query carries one (and it
    /// is not /0), else from the source address.
    func decide(_ service: Service, query: DNSMessage, client: IPAddress, family: AddressFamily?,
                snapshot: SteeringSnapshot) -> Decision {
        var address = client
        if let subnet = query.edns?.clientSubnet, subnet.sourcePrefixLength > 0 { address = subnet.address }
        return snapshot.decide(service, for: address, family: family)
    }

    /// Echoes the client subnet option with the scope the answer depends on: the matched network's
    /// prefix length, or the source prefix when no network matched or the network's clients split
    /// between sites by lane. Returns whether ECS was used.
    private func echoClientSubnet(into response: inout DNSMessage, query: DNSMessage, scope decision: Decision) -> Bool {
        guard var subnet = query.edns?.clientSubnet, subnet.sourcePrefixLength > 0 else {
            if let subnet = query.edns?.clientSubnet { response.edns?.clientSubnet = subnet }
            return false
        }
        if case .network(_, let prefix) = decision.client.source, decision.shares.count <= 1 {
            subnet.scopePrefixLength = UInt8(clamping: prefix.length)
        } else {
            subnet.scopePrefixLength = subnet.sourcePrefixLength
        }
        response.edns?.clientSubnet = subnet
        return true
    }

    // MARK: CH

    private func answerChaos(_ question: Question, response: DNSMessage, query: DNSMessage, transport: Transport) -> Response {
        var response = response
        let name = question.name.description.lowercased()
        let text: String? = switch name {
        case "id.server.", "hostname.bind.": options.identity
        case "version.server.", "version.bind.": "Meridian \(options.version)"
        default: nil
        }
        guard options.identityRecords, let text, question.type == .txt || question.type == .any else {
            return finish(response, rcode: .refused, query: query, transport: transport)
        }
        response.answers = [ResourceRecord(name: question.name, recordClass: .chaos, ttl: 0, data: .text([text]))]
        return finish(response, rcode: .noError, query: query, transport: transport)
    }

    // MARK: Encoding

    private func finish(_ response: DNSMessage, rcode: ResponseCode, query: DNSMessage?, transport: Transport) -> Response {
        var response = response
        var rcode = rcode
        if let signer, let query, let question = query.questions.first, query.edns?.dnssecOK == true {
            rcode = sign(&response, rcode: rcode, question: question, compactOK: query.edns?.compactOK ?? false, signer: signer)
        }
        response.responseCode = rcode
        let limit: Int
        switch transport {
        case .tcp: limit = Self.maximumTCPMessage
        case .udp:
            if let offered = query?.edns?.udpPayloadSize {
                limit = min(max(Int(offered), 512), Self.maximumUDPPayload)
            } else {
                limit = 512
            }
        }
        return Response(bytes: response.encoded(maximumSize: limit), responseCode: rcode,
                        queryType: query?.questions.first?.type, region: nil, usedClientSubnet: false)
    }
}
