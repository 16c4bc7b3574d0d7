/// One entry of the networks table: where clients from some prefixes are, and how much traffic
/// they send.
public struct ClientNetwork: Hashable, Sendable {
    public var name: NetworkName
    public var prefixes: [IPPrefix]
    public var location: NamedLocation
    /// The request rate from this network, in the unit of regions' `capacity`: the demand model of
    /// spill-over (`LoadPlan`) and of `simulate`; 0 when unknown.
    public var load: Double

    public init(name: NetworkName, prefixes: [IPPrefix], location: NamedLocation, load: Double = 0) {
        self.name = name
        self.prefixes = prefixes
        self.location = location
        self.load = load
    }
}
