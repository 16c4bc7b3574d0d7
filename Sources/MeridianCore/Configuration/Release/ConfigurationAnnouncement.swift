/// What a director says about the configuration release it runs, in every report to its peers:
/// small enough for a heartbeat. A peer that hears a release that outranks its own (`rank`) fetches
/// it, checks it and installs it, so every director ends on the same one.
///
/// An announcement is decoded from what a peer sent: `problem(at:maximumSkew:)` checks it before
/// anything of it is used.
public struct ConfigurationAnnouncement: Codable, Sendable, Hashable {
    /// The release's number: one more than the highest its installing director knew. 0 is the
    /// folder a director started from, unnumbered, which no peer fetches.
    public var serial: UInt64
    /// The SHA-256 fingerprint of its files (`ConfigurationFingerprint`).
    public var fingerprint: String
    /// Who gave it: the operator `ctl apply` named, or `sighup@<director>`.
    public var author: String
    /// When its installing director made it.
    public var madeAt: Timestamp
    /// The director that numbered and signed it.
    public var signer: DirectorName

    public init(serial: UInt64, fingerprint: String, author: String, madeAt: Timestamp, signer: DirectorName) {
        self.serial = serial
        self.fingerprint = fingerprint
        self.author = author
        self.madeAt = madeAt
        self.signer = signer
    }

    /// The highest serial a release may have: far beyond any fleet's applies, and exact in every
    /// JSON reader, so no peer can stop the numbering by announcing the largest number there is.
    public static let largestSerial: UInt64 = 1 << 53
    /// The longest author, in bytes of UTF-8 (an override's bound).
    public static let longestAuthor = OverrideRules.longestAuthor

    /// Where the release stands against others: see `ReleaseRank`.
    public var rank: ReleaseRank { ReleaseRank(serial: serial, fingerprint: fingerprint) }

    /// Why this announcement cannot be taken from a peer at `now`, or `nil`: a serial above
    /// `largestSerial`, a fingerprint that is none, an empty or overlong author or one with control
    /// characters, or a time ahead of the clock by more than `maximumSkew`.
    public func problem(at now: Timestamp, maximumSkew: Duration) -> String? {
        if serial > Self.largestSerial { return "serial \(serial) is above \(Self.largestSerial)" }
        if !ConfigurationFingerprint.isWellFormed(fingerprint) { return "the fingerprint is not sha256: and 64 hex digits" }
        if let problem = Self.problem(author: author) { return problem }
        if madeAt > now + maximumSkew { return "made at \(madeAt), ahead of this director's clock" }
        return nil
    }

    /// Why `author` cannot name a release's author, or `nil`.
    public static func problem(author: String) -> String? {
        if author.isEmpty { return "the author is empty" }
        if author.utf8.count > longestAuthor { return "the author is longer than \(longestAuthor) bytes" }
        if author.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "the author has control characters"
        }
        return nil
    }

    /// The serial of the next release made by a director that knows of `serials` (kept, running,
    /// heard from peers): one more than the highest; `nil` when that would pass `largestSerial`.
    public static func nextSerial(after serials: [UInt64]) -> UInt64? {
        let highest = serials.max() ?? 0
        return highest < largestSerial ? highest + 1 : nil
    }
}

/// The order of releases, the same on every director: the higher serial wins; of two releases with
/// the same serial (two directors applied at once), the one with the higher fingerprint, compared
/// byte by byte. Every director that hears both therefore ends on the same release.
public struct ReleaseRank: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var serial: UInt64
    public var fingerprint: String

    public init(serial: UInt64, fingerprint: String) {
        self.serial = serial
        self.fingerprint = fingerprint
    }

    public static func < (lhs: ReleaseRank, rhs: ReleaseRank) -> Bool {
        guard lhs.serial == rhs.serial else { return lhs.serial < rhs.serial }
        return lhs.fingerprint.utf8.lexicographicallyPrecedes(rhs.fingerprint.utf8)
    }

    public var description: String { "\(serial) (\(ConfigurationFingerprint.short(fingerprint)))" }
}
