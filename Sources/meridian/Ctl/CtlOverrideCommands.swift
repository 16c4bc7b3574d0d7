import ArgumentParser
import Foundation
import MeridianServer

/// What `fail`, `drain` and `restore` share: a region (or `--gateway`), and the request they make.
struct OverrideTargetOptions: ParsableArguments {
    @Argument(help: "The region (or, with --gateway, the gateway).")
    var name: String

    @Flag(help: "NAME is a gateway rather than a region.")
    var gateway = false

    @Option(help: "Why (shown on every director's dashboard and in `ctl overrides`).")
    var reason: String?

    @Option(help: "Who (default: the USER environment variable, else the account running ctl).")
    var author: String?

    /// `USER`, else the name of the account running ctl (USER is unset under `sudo -i`, cron, some containers).
    static var operatorName: String {
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        let account = NSUserName()
        return account.isEmpty ? "unknown" : account
    }

    func request(action: String, for duration: String?) -> OverrideRequest {
        OverrideRequest(region: gateway ? nil : name, gateway: gateway ? name : nil, action: action,
                        reason: reason, author: author ?? Self.operatorName, for: duration)
    }
}

/// Sends one override to the director and prints the overrides in force after it.
private func sendOverride(_ request: OverrideRequest, options: DirectorOptions, token: TokenOptions) async throws {
    let target = try options.target()
    let data = try await DirectorConnection.post(target, "/v1/overrides", json: try JSONEncoder().encode(request),
                                                 token: try token.token())
    try options.show(data, as: [StatusDocument.OverrideStatus].self, CtlOverridesCommand.text)
}

/// What `fail` and `drain` take: a target, how long, the token and the director.
struct TimedOverrideOptions: ParsableArguments {
    @OptionGroup var target: OverrideTargetOptions
    @Option(name: .customLong("for"), help: "How long (10m, 2h); without it, until `ctl restore`.")
    var duration: String?
    @OptionGroup var token: TokenOptions
    @OptionGroup var options: DirectorOptions

    func send(_ action: String) async throws {
        try await sendOverride(target.request(action: action, for: duration), options: options, token: token)
    }
}

/// `meridian ctl fail REGION [--for 10m]`: take a region (or gateway) out of service everywhere.
struct CtlFailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fail",
        abstract: "Take a region out of service on every director (a drill: give --for, and it reverts by itself).")

    @OptionGroup var override: TimedOverrideOptions

    func run() async throws { try await override.send("down") }
}

/// `meridian ctl drain REGION`: send no new clients there while another region can take them.
struct CtlDrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Send no new clients to a region while another can take them (used only as a last resort).")

    @OptionGroup var override: TimedOverrideOptions

    func run() async throws { try await override.send("drain") }
}

/// `meridian ctl restore REGION`: clear the override, on every director.
struct CtlRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Clear a region's (or gateway's) override on every director: its probes decide again.")

    @OptionGroup var target: OverrideTargetOptions
    @OptionGroup var token: TokenOptions
    @OptionGroup var options: DirectorOptions

    func run() async throws {
        try await sendOverride(target.request(action: "clear", for: nil), options: options, token: token)
    }
}

/// `meridian ctl overrides`: the overrides in force.
struct CtlOverridesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "overrides", abstract: "List the overrides in force.")

    @OptionGroup var options: DirectorOptions

    func run() async throws {
        let data = try await DirectorConnection.get(try options.target(), "/v1/overrides")
        try options.show(data, as: [StatusDocument.OverrideStatus].self, Self.text)
    }

    static func text(_ overrides: [StatusDocument.OverrideStatus]) -> String {
        guard !overrides.isEmpty else { return "no override in force" }
        var table = TextTable(header: ["TARGET", "ACTION", "BY", "SINCE", "UNTIL", "REASON"])
        for override in overrides {
            table.add([override.target, override.action, override.author, override.setAt, override.expiresAt ?? "restore",
                       override.reason])
        }
        return table.render()
    }
}
