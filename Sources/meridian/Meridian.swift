import ArgumentParser

/// The `meridian` command-line tool.
@main
struct Meridian: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Meridian: a multi-region global traffic director (authoritative DNS and HTTP redirects).",
        version: MeridianVersion.current,
        subcommands: [CheckCommand.self, SimulateCommand.self])
}

enum MeridianVersion {
    static let current = "0.1.0"
}
