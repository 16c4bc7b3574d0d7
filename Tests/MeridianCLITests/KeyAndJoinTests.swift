import Foundation
import MeridianCore
import MeridianServer
import MeridianTesting
import Testing

@Suite(.serialized)
struct JoinTests {
    @Test func aNewDirectorFetchesTheConfigurationFromAnAuthenticatedPeer() async throws {
        let (folder, ports) = try RegionsCopy.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let istanbulKey = try Keys.make(folder.appendingPathComponent("istanbul.key").path)
        let ankaraKey = try Keys.make(folder.appendingPathComponent("ankara.key").path)
        let strangerKey = folder.appendingPathComponent("stranger.key").path
        _ = try Keys.make(strangerKey)
        try Keys.name(istanbulKey, in: folder.appendingPathComponent("istanbul.yaml"), director: "ist-a")
        try Keys.name(ankaraKey, in: folder.appendingPathComponent("ankara.yaml"))
        let running = try CommandRunner.start(["serve", "--region", "istanbul", "--director", "ist-a", "--regions", folder.path, "--state", folder.path + "/state",
                                               "--key-file", folder.path + "/istanbul.key", "--log-level", "warning"])
        defer { if running.isRunning { running.terminate() } }
        let api = "http://127.0.0.1:\(ports["10090"]!)"
        #expect(await eventually { (try? CommandRunner.run(["ctl", "status", "--director", api]))?.status == 0 })

        // A key the configuration does not name for Ankara is refused, and nothing is written.
        let empty = folder.appendingPathComponent("joined").path
        let refused = try CommandRunner.run(["serve", "--region", "ankara", "--regions", empty, "--join", api, "--key-file", strangerKey])
        #expect(refused.status == 1 && refused.errors.contains("401"), "\(refused.errors)")
        #expect(!FileManager.default.fileExists(atPath: empty + "/global.yaml"))
        // An answer from a director whose key is not the one given is refused too.
        let wrongAnswerer = try CommandRunner.run(["serve", "--region", "ankara", "--regions", empty, "--join", api,
                                                   "--key-file", folder.path + "/ankara.key", "--join-key", "\(ankaraKey)"])
        #expect(wrongAnswerer.status == 1 && wrongAnswerer.errors.contains("--join-key"), "\(wrongAnswerer.errors)")
        #expect(!FileManager.default.fileExists(atPath: empty + "/global.yaml"))

        // With its own key, Ankara's director fetches the folder, starts on it, and runs the same configuration.
        let joined = try CommandRunner.start(["serve", "--region", "ankara", "--regions", empty, "--join", api, "--join-key", "\(istanbulKey)",
                                              "--state", empty + "-state", "--key-file", folder.path + "/ankara.key", "--log-level", "warning"])
        defer { if joined.isRunning { joined.terminate() } }
        let ankara = "http://127.0.0.1:\(ports["20090"]!)"
        #expect(await eventually {
            guard let status = try? CommandRunner.run(["ctl", "status", "--director", ankara, "--json"]), status.status == 0,
                  let document = try? JSONDecoder().decode(StatusDocument.self, from: Data(status.output.utf8)) else { return false }
            return document.peers.first?.sameConfiguration == true && document.peers.first?.state == "fresh"
        })
        let copied = try String(contentsOfFile: empty + "/global.yaml", encoding: .utf8)
        #expect(copied == (try String(contentsOf: folder.appendingPathComponent("global.yaml"), encoding: .utf8)))
    }
}

@Suite
struct KeyTests {
    @Test func keygenWritesAPrivateKeyFileAndPrintsTheLineTheRegionFileTakes() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-keygen-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let made = try CommandRunner.run(["keygen", "--out", path])
        #expect(made.status == 0, "\(made.errors)")
        let line = made.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("director.key: ed25519:"))
        let key = DirectorKey(String(line.dropFirst("director.key: ".count)))
        let written = try DirectorSigningKey.load(file: path)
        #expect(key != nil && key == written?.publicKey)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        let again = try CommandRunner.run(["keygen", "--out", path])
        #expect(again.status == 1 && again.errors.contains("cannot create"), "an existing key is not replaced")
    }

    @Test func keysDerivedFromNamesAreRefusedOffLoopback() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("meridian-state-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let refused = try CommandRunner.run(["serve", "--region", "istanbul", "--regions", "examples/production", "--state", state,
                                             "--insecure-loopback-keys"])
        #expect(refused.status == 1 && refused.errors.contains("--insecure-loopback-keys") && refused.errors.contains("192.0.2.10:53"),
                "\(refused.errors)")
        #expect(!FileManager.default.fileExists(atPath: state), "refused before anything is written")
    }

    @Test func aKeyThatIsNotTheOneTheRegionFileNamesIsRefused() throws {
        let (folder, _) = try RegionsCopy.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let named = try Keys.make(folder.appendingPathComponent("named.key").path)
        _ = try Keys.make(folder.appendingPathComponent("other.key").path)
        try Keys.name(named, in: folder.appendingPathComponent("istanbul.yaml"), director: "ist-a")
        let refused = try CommandRunner.run(["serve", "--region", "istanbul", "--director", "ist-a", "--regions", folder.path, "--state", folder.path + "/state",
                                             "--key-file", folder.path + "/other.key"])
        #expect(refused.status == 1 && refused.errors.contains("not the one istanbul.yaml names"), "\(refused.errors)")
    }
}

/// Directors' keys made with `meridian keygen`, and named in region files.
enum Keys {
    /// Makes a key file at `path`; returns its public key.
    static func make(_ path: String) throws -> DirectorKey {
        let made = try CommandRunner.run(["keygen", "--out", path])
        guard made.status == 0, let key = DirectorKey(made.output.trimmingCharacters(in: .whitespacesAndNewlines)
                                                        .replacingOccurrences(of: "director.key: ", with: "")) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return key
    }

    /// Names `key` as the key of a director in the region file at `url`: of its `director:` block,
    /// or of `director` in its `directors:` block.
    static func name(_ key: DirectorKey, in url: URL, director: String? = nil) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let named = if let director {
            text.replacingOccurrences(of: "  \(director):\n", with: "  \(director):\n    key: \(key)\n")
        } else {
            text.replacingOccurrences(of: "director:\n", with: "director:\n  key: \(key)\n")
        }
        try named.write(to: url, atomically: true, encoding: .utf8)
    }
}
