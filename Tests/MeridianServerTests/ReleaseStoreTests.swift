import Foundation
import MeridianCore
import Testing
@testable import MeridianServer

/// `ReleaseStore`: the releases a director keeps in its state folder, read back after a restart.
struct ReleaseStoreTests {
    static let key = DirectorSigningKey.insecureLoopback(for: "istanbul")

    static func release(_ serial: UInt64, _ text: String = "") -> ConfigurationRelease {
        ConfigurationRelease.signed([.init(name: "global.yaml", text: "zone: example.test\n" + text)], serial: serial, author: "ayse",
                                    signer: "istanbul", at: Timestamp(secondsSinceEpoch: 1_800_000_000), key: key)
    }

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("meridian-release-store-\(UUID().uuidString)").path
    }

    @Test func theLatestReleasesAreKeptAndReadBackWhole() throws {
        let state = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = ReleaseStore(stateDirectory: state, capacity: 3)
        for serial in 1...5 { try store.keep(Self.release(UInt64(serial), "# \(serial)\n")) }
        #expect(store.announcements.map(\.serial) == [3, 4, 5])
        #expect(!FileManager.default.fileExists(atPath: state + "/configurations/2"))
        let reopened = ReleaseStore(stateDirectory: state, capacity: 3)
        #expect(reopened.announcements.map(\.serial) == [3, 4, 5])
        let five = try #require(reopened.release(5))
        #expect(five == Self.release(5, "# 5\n") && five.isSigned(by: Self.key.publicKey))
        #expect(reopened.release(2) == nil)
    }

    @Test func ofTwoReleasesWithOneSerialTheOneThatOutranksIsKept() throws {
        let state = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = ReleaseStore(stateDirectory: state)
        let ranked = [Self.release(4, "# a\n"), Self.release(4, "# b\n")].sorted { $0.announcement.rank < $1.announcement.rank }
        let (low, high) = (ranked[0], ranked[1])
        try store.keep(high)
        try store.keep(low)
        #expect(store.release(4) == high)
        let memory = ReleaseStore(stateDirectory: nil)
        try memory.keep(low)
        try memory.keep(high)
        #expect(memory.release(4) == high)
    }

    @Test func aFolderWhoseFilesAreNotTheOnesItsFingerprintNamesIsNotReadBack() throws {
        let state = Self.folder()
        defer { try? FileManager.default.removeItem(atPath: state) }
        try ReleaseStore(stateDirectory: state).keep(Self.release(1))
        try "zone: evil.test\n".write(toFile: state + "/configurations/1/global.yaml", atomically: true, encoding: .utf8)
        #expect(ReleaseStore(stateDirectory: state).announcements.isEmpty)
    }
}

