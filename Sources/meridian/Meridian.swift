import ArgumentParser
import MeridianServer

/// The `meridian` command-line tool.
@main
struct Meridian: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Meridian: a multi-region global traffic director (authoritative DNS and HTTP redirects).",
        version: MeridianBuild.version,
        subcommands: [DemoCommand.self, ServeCommand.self, CheckCommand.self, SimulateCommand.self, CtlCommand.self, KeygenCommand.self, ImportZoneCommand.self, DNSSECCommand.self,
                      GatewayCommand.self])
}
