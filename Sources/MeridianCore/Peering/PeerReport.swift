/// What one director tells the others every probe interval: its own observations of every gateway,
/// the overrides it holds, and which configuration it runs. Observations carry their observer and time, so reports merge
/// without coordination (newest per gateway and observer wins).
///
/// A report is decoded from what a peer sent: nothing in it is used before `PeerReportCheck` has
/// passed it.
public struct PeerReport: Codable, Sendable, Equatable {
    /// The sending director.
    public var from: DirectorName
    /// When the report was made.
    public var sentAt: Timestamp
    /// The sender's configuration fingerprint, as `reported(_:)` cuts it.
    public var fingerprint: String
    public var observations: [Observation]
    /// Every override write the sender holds (sets and clears), merged last writer wins.
    public var overrides: [OverrideTable.Write]
    /// The configuration release the sender runs (`nil` from a version that announces none).
    public var release: ConfigurationAnnouncement?

    public init(from: DirectorName, sentAt: Timestamp, fingerprint: String, observations: [Observation],
                overrides: [OverrideTable.Write] = [], release: ConfigurationAnnouncement? = nil) {
        self.from = from
        self.sentAt = sentAt
        self.fingerprint = fingerprint
        self.observations = observations
        self.overrides = overrides
        self.release = release
    }

    /// The longest fingerprint the previous version takes in a report (it refuses the whole report
    /// over a longer one).
    public static let compatibleFingerprintLength = 64

    /// `fingerprint` as a report carries it: its first `compatibleFingerprintLength` characters
    /// (`sha256:` and 57 hex digits), so that directors one version apart interoperate. The full
    /// fingerprint travels in the release announcement.
    public static func reported(_ fingerprint: String) -> String {
        String(fingerprint.prefix(compatibleFingerprintLength))
    }
}
