import Foundation
import MeridianCore
import MeridianTesting
@testable import MeridianServer

/// Directors of the shipped `regions/` (ist-a and ist-b in Istanbul, ankara in Ankara) running in
/// process and peering on loopback, each with a configuration folder and a state folder of its
/// own: the world the configuration-release tests apply, race and roll back in.
struct ReleaseFleet {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let token = AdminToken("release-fleet-admin-token")!
    static let regions = ["ist-a": "istanbul", "ist-b": "istanbul", "ankara": "ankara"]

    let root: URL
    /// The folder's files as every director started from them.
    let files: [ConfigurationRelease.File]
    let world: LiveWorld
    var directors: [String: RunningDirector] = [:]

    /// Writes the folder (each director's API on a free port) and starts the directors `names`.
    static func start(_ names: [String] = ["ist-a", "ist-b", "ankara"]) async throws -> ReleaseFleet {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-releases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var files: [ConfigurationRelease.File] = []
        for name in CommandRunner.shippedRegionFiles {
            let text = try String(contentsOf: packageRoot.appendingPathComponent("regions/\(name)"), encoding: .utf8)
            files.append(.init(name: name, text: text))
        }
        for original in ["10090", "10190", "20090", "30090"] {
            let port = try PeeringTests.freePort()
            for index in files.indices { files[index].text = files[index].text.replacingOccurrences(of: ":\(original)", with: ":\(port)") }
        }
        var fleet = ReleaseFleet(root: root, files: files, world: try await LiveWorld.start(perRegion: 1))
        for name in names { try await fleet.startDirector(name) }
        return fleet
    }

    /// The configuration folder of the director `name`.
    func folder(_ name: String) -> URL { root.appendingPathComponent(name) }
    /// The state folder of the director `name`.
    func state(_ name: String) -> String { root.appendingPathComponent(name + "-state").path }

    /// Starts the director `name` on its folder (written from `files` unless it is there) and state folder.
    mutating func startDirector(_ name: String) async throws {
        let folder = folder(name)
        if !FileManager.default.fileExists(atPath: folder.path) {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in files { try file.text.write(to: folder.appendingPathComponent(file.name), atomically: true, encoding: .utf8) }
        }
        let configuration = try ConfigurationLoader.load(directory: folder.path)
        directors[name] = try await RunningDirector.start(world, region: Self.regions[name]!, director: name, source: folder.path,
                                                          configuration: configuration, peering: true, adminToken: Self.token,
                                                          state: try StateStore(directory: state(name)))
    }

    func director(_ name: String) -> Director { directors[name]!.director }

    /// Whether every running director runs the release of `rank`.
    func allRun(_ rank: ReleaseRank) -> Bool {
        directors.values.allSatisfy { $0.director.runningRelease?.rank == rank }
    }

    /// `files` with `text` appended to the global file.
    func edited(_ text: String) -> [ConfigurationRelease.File] {
        files.map { $0.name == "global.yaml" ? .init(name: $0.name, text: $0.text + text) : $0 }
    }

    func stop() async {
        for director in directors.values { await director.stop() }
        await world.stop()
        try? FileManager.default.removeItem(at: root)
    }
}
