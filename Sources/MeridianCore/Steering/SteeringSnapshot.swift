/// What answering needs to steer: the sites as the director sees them and how to locate clients.
/// Immutable; the director replaces it whenever a decision input changes.
public struct SteeringSnapshot: Sendable {
    public let assessment: Assessment
    public let locator: ClientLocator
    /// The answering director's region (the fallback location of an unmatched client).
    public let vantage: Region?

    public init(assessment: Assessment, locator: ClientLocator, vantage: Region?) {
        self.assessment = assessment
        self.locator = locator
        self.vantage = vantage
    }
}
