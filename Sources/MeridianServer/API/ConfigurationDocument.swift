/// A director's configuration releases as JSON (`GET /v1/configuration`, `ctl config`): the one it
/// runs and why the latest it could not install was not, the ones it keeps, and what each peer
/// announced in its latest report. Fields are only ever added.
public struct ConfigurationDocument: Codable, Sendable {
    /// The director asked.
    public var director: String
    public var running: ReleaseStatus
    /// Why the latest release this director could not install was not (it runs `running` instead);
    /// `nil` once one is installed.
    public var problem: String?
    /// The kept releases (`ctl config rollback` takes their serials), by serial.
    public var kept: [ReleaseStatus]
    public var peers: [PeerRelease]

    /// One release. Serial 0 is the folder a director started from, unnumbered, with no author.
    public struct ReleaseStatus: Codable, Sendable, Equatable {
        public var serial: UInt64
        public var fingerprint: String
        public var author: String?
        /// RFC 3339.
        public var madeAt: String?
        /// The director that numbered and signed it.
        public var signer: String?
    }

    /// What a peer announced.
    public struct PeerRelease: Codable, Sendable {
        public var director: String
        /// `nil`: it has not reported, or its report announced no release (an older version).
        public var announced: ReleaseStatus?
        /// When its latest report arrived.
        public var lastHeard: String?
    }
}
