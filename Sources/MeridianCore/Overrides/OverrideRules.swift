/// The checks every override write gets before a director takes it, whether an operator gave it
/// (`POST /v1/overrides`) or a peer carried it in a report: it names a region or gateway of the
/// configuration, and its reason and author are bounded.
public enum OverrideRules {
    /// The longest reason, in bytes of UTF-8.
    public static let longestReason = 1000
    /// The longest author, in bytes of UTF-8.
    public static let longestAuthor = 200

    /// Why a write on `target` cannot be taken under `configuration`, or `nil`.
    public static func problem(with target: Override.Target, in configuration: Configuration) -> String? {
        switch target {
        case .region(let region):
            guard configuration.region(region) == nil else { return nil }
            return "no region '\(region)' (regions: \(configuration.regions.map(\.name.rawValue).joined(separator: ", ")))"
        case .gateway(let gateway):
            guard !configuration.gateways.contains(where: { $0.name == gateway }) else { return nil }
            return "no gateway '\(gateway)'"
        }
    }

    /// Why a write with this reason and author cannot be taken, or `nil`.
    public static func problem(reason: String, author: String) -> String? {
        if reason.utf8.count > longestReason { return "the reason is longer than \(longestReason) bytes" }
        if author.utf8.count > longestAuthor { return "the author is longer than \(longestAuthor) bytes" }
        return nil
    }

    /// How many writes a table can hold under `configuration`: one per region and one per gateway.
    public static func largestTable(for configuration: Configuration) -> Int {
        configuration.regions.count + configuration.gateways.count
    }
}
