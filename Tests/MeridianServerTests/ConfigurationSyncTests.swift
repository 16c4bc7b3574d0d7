import AsyncHTTPClient
import Foundation
import MeridianCore
import MeridianTesting
import NIOCore
import Testing
@testable import MeridianServer

/// Configuration releases between directors peering for real on loopback: an apply on one reaches
/// the others, racing applies converge, a release a director cannot install is refused there and
/// shown, rollback, SIGHUP, and what a forged release gets.
@Suite(.serialized)
struct ConfigurationSyncTests {
    /// POSTs `body` to an admin path of `director`'s API with the fleet's token.
    static func post(_ director: RunningDirector, _ path: String, _ body: some Encodable) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(director.apiPort)\(path)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer release-fleet-admin-token")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), text)
    }

    @Test func anApplyOnOneDirectorReachesEveryOtherAndIsKeptInTheirStateFolders() async throws {
        let fleet = try await ReleaseFleet.start()
        let istanbul = fleet.directors["ist-a"]!
        let answer = try await Self.post(istanbul, ConfigurationRoutes.applyPath,
                                         ConfigurationApplyRequest(author: "ayse@laptop", files: fleet.edited("# one\n")))
        #expect(answer.status == 200, "\(answer.body)")
        let release = try #require(fleet.director("ist-a").runningRelease)
        #expect(release.serial == 1 && release.author == "ayse@laptop" && release.signer == "ist-a")
        #expect(await eventually(within: .seconds(15)) { fleet.allRun(release.rank) })
        for region in ["ankara", "ist-b"] {
            #expect(fleet.director(region).configuration.fingerprint == release.fingerprint)
            #expect(FileManager.default.fileExists(atPath: fleet.state(region) + "/configurations/1/release.json"))
            #expect(try String(contentsOfFile: fleet.state(region) + "/configurations/1/global.yaml", encoding: .utf8).hasSuffix("# one\n"))
        }
        let status = try await fleet.directors["ankara"]!.status()
        #expect(status.director.configuration.serial == 1 && status.director.configuration.author == "ayse@laptop")
        #expect(status.director.configuration.problem == nil)
        // Ankara hears every running peer announce it (`ctl config`'s table; Izmir's director is not started here).
        #expect(await eventually {
            fleet.director("ankara").configurationDocument().peers.filter { fleet.directors[$0.director] != nil }
                .allSatisfy { $0.announced?.serial == 1 }
        })
        await fleet.stop()
    }

    @Test func aFolderThatDoesNotLoadIsRefusedWithEveryProblemAndNothingIsNumbered() async throws {
        let fleet = try await ReleaseFleet.start(["ist-a"])
        let istanbul = fleet.directors["ist-a"]!
        let broken = fleet.files.map { $0.name == "ankara.yaml" ? .init(name: $0.name, text: $0.text + "surprise: 1\n") : $0 }
        let answer = try await Self.post(istanbul, ConfigurationRoutes.applyPath, ConfigurationApplyRequest(author: "ayse", files: broken))
        #expect(answer.status == 422 && answer.body.contains("ankara.yaml:") && answer.body.contains("surprise"), "\(answer.body)")
        #expect(fleet.director("ist-a").runningRelease == nil && fleet.director("ist-a").releases.store.announcements.isEmpty)
        var token = ConfigurationApplyRequest(author: "ayse", files: fleet.files)
        token.author = ""
        #expect(try await Self.post(istanbul, ConfigurationRoutes.applyPath, token).status == 409)
        await fleet.stop()
    }

    @Test func racingAppliesEndOnTheSameReleaseEverywhere() async throws {
        let fleet = try await ReleaseFleet.start()
        async let first = fleet.director("ist-a").apply(fleet.edited("# istanbul's\n"), author: "ayse")
        async let second = fleet.director("ankara").apply(fleet.edited("# ankara's\n"), author: "mehmet")
        let applied = await [first, second].compactMap { result -> ConfigurationAnnouncement? in
            if case .installed(let release) = result { return release }
            return nil
        }
        #expect(applied.count == 2)
        let winner = try #require(applied.map(\.rank).max())
        #expect(await eventually(within: .seconds(15)) { fleet.allRun(winner) })
        await fleet.stop()
    }

    @Test func aReleaseADirectorCannotInstallIsRefusedThereShownAndNotRetried() async throws {
        let fleet = try await ReleaseFleet.start()
        // ist-b's DNS moves to an address this host does not have.
        let moved = fleet.files.map { file -> ConfigurationRelease.File in
            file.name == "istanbul.yaml" ? .init(name: file.name, text: file.text.replacingOccurrences(of: "127.0.0.1:10153", with: "192.0.2.1:53"))
                : file
        }
        guard case .installed(let release) = fleet.director("ist-a").apply(moved, author: "ayse") else {
            Issue.record("the apply was refused")
            return await fleet.stop()
        }
        #expect(await eventually(within: .seconds(15)) { fleet.director("ankara").runningRelease == release })
        let istB = fleet.directors["ist-b"]!
        #expect(await eventually(within: .seconds(15)) { (try? await istB.status())?.director.configuration.problem != nil })
        let status = try await istB.status()
        #expect(status.director.configuration.serial == 0)
        #expect(status.director.configuration.problem?.contains("192.0.2.1") == true, "\(status.director.configuration.problem ?? "")")
        #expect(fleet.director("ist-b").journal.latest(50).contains { $0.kind == "configuration" && $0.message.contains("not installed") })
        let metrics = String(decoding: try await istB.get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("meridian_configuration_install_failures_total 1"))
        #expect(metrics.contains("meridian_configuration_serial 0"))
        // ist-b keeps hearing release 1 in every report and does not try it again.
        let heard = fleet.director("ist-b").peering!.reports["ist-a"]!.receivedAt
        #expect(await eventually { (fleet.director("ist-b").peering!.reports["ist-a"]?.receivedAt ?? heard) > heard + .seconds(2) })
        #expect(fleet.director("ist-b").releases.installFailures == 1)
        await fleet.stop()
    }

    @Test func rollbackAppliesAKeptReleaseAgainAsTheNextSerial() async throws {
        let fleet = try await ReleaseFleet.start()
        let istanbul = fleet.directors["ist-a"]!
        guard case .installed(let one) = fleet.director("ist-a").apply(fleet.edited("# one\n"), author: "ayse"),
              case .installed(let two) = fleet.director("ist-a").apply(fleet.edited("# two\n"), author: "ayse") else {
            Issue.record("an apply was refused")
            return await fleet.stop()
        }
        #expect(two.serial == 2)
        let answer = try await Self.post(istanbul, ConfigurationRoutes.rollbackPath, ConfigurationRollbackRequest(author: "mehmet", serial: 1))
        #expect(answer.status == 200, "\(answer.body)")
        let three = try #require(fleet.director("ist-a").runningRelease)
        #expect(three.serial == 3 && three.fingerprint == one.fingerprint && three.author == "mehmet")
        #expect(await eventually(within: .seconds(15)) { fleet.allRun(three.rank) })
        let missing = try await Self.post(istanbul, ConfigurationRoutes.rollbackPath, ConfigurationRollbackRequest(author: "mehmet", serial: 99))
        #expect(missing.status == 409 && missing.body.contains("no kept release 99"))
        await fleet.stop()
    }

    @Test func aHangupAppliesAChangedFolderButAnUnchangedOneDoesNotUndoAPeersRelease() async throws {
        let fleet = try await ReleaseFleet.start()
        let global = fleet.folder("ist-a").appendingPathComponent("global.yaml")
        try (fleet.files[0].text + "# edited on disk\n").write(to: global, atomically: true, encoding: .utf8)
        guard case .reloaded = fleet.director("ist-a").reload() else {
            Issue.record("the edited folder was not applied")
            return await fleet.stop()
        }
        let applied = try #require(fleet.director("ist-a").runningRelease)
        #expect(applied.serial == 1 && applied.author == "sighup@ist-a")
        let journaled = fleet.director("ist-a").journal.latest(20).filter { $0.kind == "configuration" }.map(\.message)
        #expect(journaled.count == 1 && journaled.first?.hasPrefix("release 1") == true, "one line for one apply: \(journaled)")
        #expect(await eventually(within: .seconds(15)) { fleet.director("ankara").runningRelease == applied })
        #expect(fleet.director("ist-a").reload().isUnchanged, "applied twice")
        // Ankara's folder is as it started; a hangup there leaves release 1 running.
        #expect(fleet.director("ankara").reload().isUnchanged, "ankara's old folder was applied")
        #expect(fleet.director("ankara").runningRelease == applied)
        await fleet.stop()
    }

    @Test func aKeptReleaseIsGivenOnlyToAPeerThatSignedForItsSerial() async throws {
        let fleet = try await ReleaseFleet.start(["ist-a"])
        guard case .installed(let release) = fleet.director("ist-a").apply(fleet.edited("# one\n"), author: "ayse") else {
            Issue.record("the apply was refused")
            return await fleet.stop()
        }
        let istanbul = fleet.directors["ist-a"]!
        func get(_ serial: String, signedFor signedPath: String?) async throws -> (Int, Data) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(istanbul.apiPort)\(ConfigurationJoin.path)?serial=\(serial)")
            if let signedPath {
                let ankara = PeerAuthentication(credentials: .insecureLoopback(for: "ankara"))
                for (name, value) in ankara.sign(Data(), .init(method: "GET", path: signedPath, from: "ankara", to: "ist-a"), at: .now) {
                    request.headers.add(name: name, value: value)
                }
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            return (Int(response.status.code), Data(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        #expect(try await get("1", signedFor: nil).0 == 401)
        #expect(try await get("1", signedFor: ReleaseFetch.path(serial: 2)).0 == 401, "the query is signed with the path")
        #expect(try await get("x", signedFor: nil).0 == 400)
        #expect(try await get("2", signedFor: ReleaseFetch.path(serial: 2)).0 == 404)
        let (status, body) = try await get("1", signedFor: ReleaseFetch.path(serial: 1))
        #expect(status == 200)
        #expect(try JSONDecoder().decode(ConfigurationRelease.self, from: body).announcement == release)
        await fleet.stop()
    }

    @Test func aDirectorRestartsOnTheReleaseItKept() async throws {
        var fleet = try await ReleaseFleet.start(["ist-a"])
        guard case .installed(let release) = fleet.director("ist-a").apply(fleet.edited("# kept\n"), author: "ayse") else {
            Issue.record("the apply was refused")
            return await fleet.stop()
        }
        await fleet.directors["ist-a"]!.stop()
        try await fleet.startDirector("ist-a")
        #expect(fleet.director("ist-a").runningRelease == release)
        #expect(fleet.director("ist-a").configuration.fingerprint == release.fingerprint)
        await fleet.stop()
    }
}

/// What a director does with a release that is not what its signer made.
struct ForgedReleaseTests {
    static func director() throws -> (Director, [ConfigurationRelease.File]) {
        let files = try ConfigurationLoader.readFolder(ReleaseFleet.packageRoot.appendingPathComponent("regions").path)
        let configuration = try ConfigurationLoader.load(files: files)
        let director = try Director(configuration: configuration, region: "ankara", source: nil, logger: .test,
                                    credentials: .insecureLoopback(for: "ankara"))
        return (director, ConfigurationRelease.files(of: files))
    }

    @Test func aReleaseSignedWithAnotherKeyUnsignedOrEditedAfterSigningIsRefused() throws {
        let (director, files) = try Self.director()
        let edited = files.map { $0.name == "global.yaml" ? ConfigurationRelease.File(name: $0.name, text: $0.text + "# x\n") : $0 }
        let forged = ConfigurationRelease.signed(edited, serial: 5, author: "mallory", signer: "ist-a", at: .now, key: .generate())
        #expect(director.install(forged, from: "ist-a") == .refused("it is not signed with the key the running configuration names for ist-a"))
        var unsigned = ConfigurationRelease.signed(edited, serial: 6, author: "mallory", signer: "ist-a", at: .now,
                                                   key: .insecureLoopback(for: "ist-a"))
        unsigned.signature = ""
        #expect(director.install(unsigned, from: "ist-a") != .installed)
        var tampered = ConfigurationRelease.signed(edited, serial: 7, author: "ayse", signer: "ist-a", at: .now,
                                                   key: .insecureLoopback(for: "ist-a"))
        tampered.files[0].text += "# more\n"
        #expect(director.install(tampered, from: "ist-a") == .refused("the files' fingerprint is not the one announced"))
        #expect(director.runningRelease == nil && director.releases.installFailures == 3)
        let genuine = ConfigurationRelease.signed(edited, serial: 8, author: "ayse", signer: "ist-a", at: .now,
                                                  key: .insecureLoopback(for: "ist-a"))
        #expect(director.install(genuine, from: "ist-b") == .installed, "relayed by any peer, it is still its signer's")
        #expect(director.runningRelease == genuine.announcement && director.releases.problem == nil)
    }

    @Test func aReportWithoutAnAnnouncementStillDecodes() throws {
        let json = #"{"from":"ankara","sentAt":{"nanosecondsSinceEpoch":1},"fingerprint":"","observations":[],"overrides":[]}"#
        let report = try JSONDecoder().decode(PeerReport.self, from: Data(json.utf8))
        #expect(report.release == nil)
    }
}

extension Director.ReloadResult {
    fileprivate var isUnchanged: Bool {
        if case .unchanged = self { return true }
        return false
    }
}
