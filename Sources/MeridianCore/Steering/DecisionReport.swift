/// A decision as a document: what `/v1/explain`, `meridian ctl explain` and the redirector's JSON
/// answer show. Its JSON form is stable (see docs/api.md).
public struct DecisionReport: Codable, Sendable, Equatable {
    public var service: String
    public var fqdn: String
    public var policy: String
    public var client: ClientReport
    /// `site`, or `all-down` when no site could take the client.
    public var outcome: String
    /// The chosen region (`nil` when all are down).
    public var region: String?
    /// The all-down behaviour that applied (`fail-open`, `fail-closed`, `fallback`), when one did.
    public var allDown: String?
    /// The addresses DNS answers with.
    public var addresses: [String]
    /// The base URL the redirector sends the client to, if the service redirects.
    public var redirectURL: String?
    public var reason: String
    public var candidates: [CandidateReport]
    /// What the service's load plan did to this client (a failing-back site it passed, a full site
    /// that shed or kept it); absent from directors that predate load plans.
    public var notes: [NoteReport]?
    public var isolated: Bool
    /// The TTL the DNS answer carries (seconds): the service's `ttl`, or its `ttl-min` while a site
    /// is in doubt; absent from directors that predate adaptive TTLs.
    public var ttl: UInt32?
    /// Why the TTL is `ttl-min`, when it is.
    public var ttlDoubt: String?
    /// When the assessment behind the decision was made (RFC 3339).
    public var at: String

    /// Where the client is taken to be, and why.
    public struct ClientReport: Codable, Sendable, Equatable {
        /// The address decided for, when the decision was for an address.
        public var address: String?
        /// `network`, `geoip`, `default-location`, `director` or `unknown`.
        public var source: String
        public var network: String?
        public var prefix: String?
        /// The GeoIP record's place (`Izmir, TR`) and accuracy, for a client located by GeoIP.
        public var place: String?
        public var accuracyKilometres: Int?
        public var latitude: Double?
        public var longitude: Double?
        public var description: String
    }

    /// One region as a candidate.
    public struct CandidateReport: Codable, Sendable, Equatable {
        public var region: String
        public var availability: String
        public var status: String
        public var healthyGateways: Int
        public var gateways: Int
        public var score: Double
        public var weight: Double
        public var distanceKilometres: Double?
        public var latencyMilliseconds: Double?
        public var share: Double
        public var eligible: Bool
    }

    public init(_ decision: Decision, address: IPAddress?, at: String) {
        service = decision.service.name.rawValue
        fqdn = decision.service.fqdn.text
        policy = decision.service.policy.rawValue
        client = ClientReport(decision.client, address: address)
        switch decision.outcome {
        case .site(let region):
            outcome = "site"
            self.region = region.rawValue
            allDown = nil
        case .allDown(let behaviour):
            outcome = "all-down"
            region = nil
            allDown = behaviour.keyword
        }
        addresses = decision.addresses.map(\.description)
        redirectURL = decision.redirectURL?.text
        reason = decision.reason
        candidates = decision.candidates.map { candidate in
            CandidateReport(
                region: candidate.region.rawValue, availability: candidate.availability.rawValue, status: candidate.status,
                healthyGateways: candidate.healthyGateways, gateways: candidate.gateways, score: candidate.score.rounded(to: 4),
                weight: candidate.weight, distanceKilometres: candidate.distanceKilometres.map { $0.rounded(to: 1) },
                latencyMilliseconds: candidate.latency.map { $0.milliseconds.rounded(to: 3) },
                share: candidate.share.rounded(to: 4), eligible: candidate.eligible)
        }
        notes = decision.notes.map(NoteReport.init)
        isolated = decision.isolated
        ttl = decision.ttl
        ttlDoubt = decision.ttlDoubt
        self.at = at
    }

    /// One `PlanNote`.
    public struct NoteReport: Codable, Sendable, Equatable {
        /// `not-back-yet`, `spilled` or `kept`.
        public var kind: String
        /// The site failing back, or the full site.
        public var region: String
        /// Where a spilled client went.
        public var to: String?
        /// The full site's demand and capacity.
        public var demand: Double?
        public var capacity: Double?
        /// The share of the site's clients this client is among: back, sent to `to`, or kept.
        public var share: Double
        /// The whole fleet is over its watermarks.
        public var short: Bool?
        public var text: String

        init(_ note: PlanNote) {
            text = note.text
            switch note {
            case .notBackYet(let region, let share):
                (kind, self.region, self.share) = ("not-back-yet", region.rawValue, share.rounded(to: 4))
            case .spilled(let from, let to, let demand, let capacity, let share, let short):
                (kind, region, self.to, self.share, self.short) = ("spilled", from.rawValue, to.rawValue, share.rounded(to: 4), short)
                (self.demand, self.capacity) = (demand.rounded(to: 2), capacity)
            case .kept(let region, let demand, let capacity, let share, let short):
                (kind, self.region, self.share, self.short) = ("kept", region.rawValue, share.rounded(to: 4), short)
                (self.demand, self.capacity) = (demand.rounded(to: 2), capacity)
            }
        }
    }
}

extension DecisionReport.ClientReport {
    init(_ location: ClientLocation, address: IPAddress?) {
        self.address = address?.description
        switch location.source {
        case .network(let name, let prefix):
            source = "network"
            network = name.rawValue
            self.prefix = prefix.description
        case .geoIP(let record):
            source = "geoip"
            place = [record.city, record.country].compactMap { $0 }.joined(separator: ", ")
            accuracyKilometres = record.accuracyKilometres
        case .defaultLocation:
            source = "default-location"
        case .director:
            source = "director"
        case .unknown:
            source = "unknown"
        }
        latitude = location.point?.latitude
        longitude = location.point?.longitude
        description = location.description
    }
}
