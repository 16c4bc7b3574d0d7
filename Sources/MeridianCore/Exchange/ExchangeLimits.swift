/// How large an exchange frame may be under a configuration: what a director decodes, inflates and
/// reads of a peer's frame at most. A frame with every gateway's observation and every override
/// write the configuration has room for, each at its longest, fits.
public struct ExchangeLimits: Sendable, Equatable {
    /// The most changes one frame may carry.
    public var largestCount: Int
    /// The largest decoded payload (after inflating).
    public var largestPayload: Int

    /// The most a change of each kind takes, encoded.
    static let largestObservation = 1 + 64 + 1 + 5
    static let largestWrite = 1 + 65 + 1 + (10 + OverrideRules.longestReason) + (10 + OverrideRules.longestAuthor) + 10 + 10
    /// The most a frame takes besides its changes.
    static let envelope = 256

    public init(largestCount: Int, largestPayload: Int) {
        self.largestCount = largestCount
        self.largestPayload = largestPayload
    }

    /// The limits for `configuration`: one change per gateway and per override target.
    public init(for configuration: Configuration) {
        let gateways = configuration.gateways.count
        let writes = OverrideRules.largestTable(for: configuration)
        largestCount = gateways + writes
        largestPayload = Self.envelope + gateways * Self.largestObservation + writes * Self.largestWrite
    }

    /// The largest frame on the wire: the payload, uncompressed, behind its two leading bytes (a
    /// frame is compressed only when that is smaller).
    public var largestFrame: Int { largestPayload + 2 }
}
