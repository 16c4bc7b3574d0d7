/// A validated identifier for a thing in the configuration: lower-case ASCII letters, digits and
/// hyphens, 1 to 63 characters, starting with a letter and not ending with a hyphen (so every name
/// is also a valid DNS label).
///
/// `Kind` keeps region, gateway, service and network names apart in the type system.
public struct Name<Kind>: Hashable, Comparable, Sendable, TextCoded, ExpressibleByStringLiteral
{
    public let rawValue: String

    /// Validates `text`; `nil` when it is not a valid name.
    public init?(_ text: String) {
        guard Name.isValid(text) else { return nil }
        rawValue = text
    }

    /// A name written in code. A literal that is not a valid name is a programming error.
    public init(stringLiteral value: String) {
        precondition(Name.isValid(value), "invalid name literal '\(value)'")
        rawValue = value
    }



    public var description: String { rawValue }

    public static func < (lhs: Name, rhs: Name) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The rule every name follows, stated for error messages.
    public static var rule: String {
        "1-63 lower-case letters, digits or hyphens, starting with a letter"
    }

    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first, let last = bytes.last,
              (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-")
        }
    }
}

/// Tags that keep the kinds of `Name` apart.
public enum RegionTag {}
public enum GatewayTag {}
public enum ServiceTag {}
public enum NetworkTag {}
public enum DirectorTag {}

/// The name of a region (site), e.g. `istanbul`. A region's director takes this as its identity.
public typealias RegionName = Name<RegionTag>
/// The name of one director, unique across all regions, e.g. `ist-a`. A region with one director
/// (`director:` in its file) names it after the region.
public typealias DirectorName = Name<DirectorTag>
/// The name of one gateway, unique across all regions, e.g. `ist-1`.
public typealias GatewayName = Name<GatewayTag>
/// The name of a service, relative to the zone, e.g. `api` for `api.example.test`.
public typealias ServiceName = Name<ServiceTag>
/// The name of a client network in the networks table, e.g. `istanbul-metro`.
public typealias NetworkName = Name<NetworkTag>
