import ArgumentParser
import Foundation
import MeridianCore
import MeridianServer

/// Who gives a configuration: `--author`, else `USER@HOST`.
struct AuthorOption: ParsableArguments {
    @Option(help: "Who gives it (default: USER@HOST).")
    var author: String?

    var name: String {
        author ?? "\(OverrideTargetOptions.operatorName)@\(ProcessInfo.processInfo.hostName)"
    }
}

/// `meridian ctl apply DIR`: gives a configuration folder to a director, which numbers, signs,
/// installs and announces it; every director follows.
struct CtlApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Give a configuration folder to a director: it validates it, numbers it, signs it, installs it, and every director follows.",
        discussion: "A folder that does not load is refused with every problem (file:line), and exit 1.")

    @Argument(help: "The configuration folder (its *.yaml files).")
    var folder: String

    @OptionGroup var author: AuthorOption
    @OptionGroup var token: TokenOptions
    @OptionGroup var options: DirectorOptions

    func run() async throws {
        let files: [ConfigurationLoader.SourceFile]
        do {
            files = try ConfigurationLoader.readFolder(folder)
        } catch {
            printProblems(error, in: folder)
            throw ExitCode(1)
        }
        let request = ConfigurationApplyRequest(author: author.name, files: files.map {
            ConfigurationRelease.File(name: ($0.name as NSString).lastPathComponent, text: $0.text)
        })
        try await CtlConfigCommand.send(request, to: "/v1/admin/configuration", options: options, token: token)
    }
}

/// `meridian ctl config`: the release each director runs; `ctl config rollback SERIAL`.
struct CtlConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the configuration release of a director and of each of its peers, or roll back.",
        subcommands: [CtlConfigShowCommand.self, CtlConfigRollbackCommand.self],
        defaultSubcommand: CtlConfigShowCommand.self)

    /// Posts an apply or a rollback and prints the release installed.
    static func send(_ request: some Encodable, to path: String, options: DirectorOptions, token: TokenOptions) async throws {
        let data = try await DirectorConnection.post(try options.target(), path, json: try JSONEncoder().encode(request),
                                                     token: try token.token())
        try options.show(data, as: ConfigurationDocument.ReleaseStatus.self) { release in
            "release \(release.serial) installed (\(ConfigurationFingerprint.short(release.fingerprint)), by \(release.author ?? "?")); "
                + "the other directors follow"
        }
    }
}

/// `meridian ctl config show` (the default): serial, fingerprint, author and time per director.
struct CtlConfigShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "The release the director runs, what each peer announced, and the kept ones.")

    @OptionGroup var options: DirectorOptions

    func run() async throws {
        let data = try await DirectorConnection.get(try options.target(), "/v1/configuration")
        try options.show(data, as: ConfigurationDocument.self, Self.text)
    }

    static func text(_ document: ConfigurationDocument) -> String {
        var table = TextTable(header: ["DIRECTOR", "SERIAL", "FINGERPRINT", "AUTHOR", "MADE AT", "SIGNER"])
        func add(_ director: String, _ release: ConfigurationDocument.ReleaseStatus?) {
            guard let release else { return table.add([director, "-", "-", "-", "-", "-"]) }
            table.add([director, release.serial == 0 ? "0 (folder)" : "\(release.serial)", ConfigurationFingerprint.short(release.fingerprint),
                       release.author ?? "-", release.madeAt ?? "-", release.signer ?? "-"])
        }
        add(document.director + " (asked)", document.running)
        for peer in document.peers { add(peer.director, peer.announced) }
        var lines = [table.render()]
        if let problem = document.problem { lines += ["", "NOT INSTALLED: \(problem)"] }
        lines += ["", "kept: " + (document.kept.isEmpty ? "none" : document.kept.map { String($0.serial) }.joined(separator: " "))]
        return lines.joined(separator: "\n")
    }
}

/// `meridian ctl config rollback SERIAL`: applies a kept release's files again, as a new release.
struct CtlConfigRollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Apply a kept release's files again, as the next serial (so the higher serial still wins everywhere).")

    @Argument(help: "The kept release's serial (`ctl config` lists them).")
    var serial: UInt64

    @OptionGroup var author: AuthorOption
    @OptionGroup var token: TokenOptions
    @OptionGroup var options: DirectorOptions

    func run() async throws {
        try await CtlConfigCommand.send(ConfigurationRollbackRequest(author: author.name, serial: serial),
                                        to: "/v1/admin/configuration/rollback", options: options, token: token)
    }
}
