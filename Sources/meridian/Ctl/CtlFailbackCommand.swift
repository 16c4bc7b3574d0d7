import ArgumentParser
import Foundation
import MeridianCore
import MeridianServer

/// `meridian ctl failback [--now REGION]`: the sites failing back, or end a region's ramp.
struct CtlFailbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failback",
        abstract: "Show the sites failing back, or give a region all its clients back at once (--now).",
        discussion: """
            With --now REGION and no --director (nor MERIDIAN_DIRECTOR), every director of --regions is \
            asked, so that the whole fleet answers alike; a director not reached finishes its ramp by itself.
            """)

    @Option(help: "End REGION's ramps: it has all its clients back at once.")
    var now: String?

    @Option(help: "Who (default: the USER environment variable, else the account running ctl).")
    var author: String?

    @OptionGroup var token: TokenOptions
    @OptionGroup var options: DirectorOptions

    func run() async throws {
        guard let region = now else {
            let data = try await DirectorConnection.get(try options.target(), "/v1/failback")
            try options.show(data, as: [FailbackDocument.Ramp].self, Self.text)
            return
        }
        let request = try JSONEncoder().encode(
            FailbackDocument.FinishRequest(region: region, author: author ?? OverrideTargetOptions.operatorName))
        let token = try token.token()
        for target in try targets() {
            let data = try await DirectorConnection.post(target, "/v1/failback", json: request, token: token)
            try options.show(data, as: FailbackDocument.Finished.self) { finished in
                let what = finished.ended.isEmpty ? "was not failing back"
                    : "has all its clients back for \(finished.ended.joined(separator: ", "))"
                return "\(target.base): \(finished.region) \(what)"
            }
        }
    }

    /// The one director named, else every director of the configuration folder.
    private func targets() throws -> [DirectorTarget] {
        let named = options.director ?? ProcessInfo.processInfo.environment["MERIDIAN_DIRECTOR"].flatMap { $0.isEmpty ? nil : $0 }
        if named != nil { return [try options.target()] }
        let configuration = try loadConfiguration(options.regions.directory)
        let caFile = options.caFile ?? ProcessInfo.processInfo.environment["MERIDIAN_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? configuration.peerTLS?.caFile
        return try configuration.directors.map { try DirectorTarget(base: $0.endpoints.peerURL.text, caFile: caFile) }
    }

    static func text(_ ramps: [FailbackDocument.Ramp]) -> String {
        guard !ramps.isEmpty else { return "no site is failing back" }
        var table = TextTable(header: ["SERVICE", "SITE", "BACK", "STEP", "NEXT STEP"])
        for ramp in ramps {
            table.add([ramp.service, ramp.region, ramp.share.percentage, "\(ramp.step) of \(ramp.steps.count)", ramp.nextStep])
        }
        return table.render()
    }
}
