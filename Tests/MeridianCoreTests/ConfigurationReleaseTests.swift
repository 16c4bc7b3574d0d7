import Testing
@testable import MeridianCore

/// Configuration releases without sockets: the fingerprint's defined order, which release wins,
/// what is checked of a peer's announcement and release, and `ReleaseFollowing`'s rule.
struct ConfigurationReleaseTests {
    static let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
    static let files = [ConfigurationRelease.File(name: "global.yaml", text: "zone: example.test\n"),
                        ConfigurationRelease.File(name: "istanbul.yaml", text: "name: istanbul\n")]

    static func fingerprint(_ files: [ConfigurationRelease.File]) -> String {
        ConfigurationFingerprint.of(files.map { .init(name: $0.name, text: $0.text) })
    }

    static func announcement(_ serial: UInt64, _ fingerprint: String? = nil, author: String = "ayse@laptop",
                             at: Timestamp = now) -> ConfigurationAnnouncement {
        ConfigurationAnnouncement(serial: serial, fingerprint: fingerprint ?? Self.fingerprint(files), author: author, madeAt: at,
                                  signer: "istanbul")
    }

    @Test func theFingerprintIsSHA256OverTheFilesInNameOrderWhateverTheirPaths() {
        let first = Self.fingerprint(Self.files)
        #expect(ConfigurationFingerprint.isWellFormed(first))
        #expect(Self.fingerprint(Self.files.reversed()) == first)
        #expect(ConfigurationFingerprint.of(Self.files.map { .init(name: "/etc/meridian/" + $0.name, text: $0.text) }) == first)
        // The empty input's SHA-256, from FIPS 180-4's examples.
        #expect(ConfigurationFingerprint.of([]) == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func movingTextAcrossAFileBoundaryOrRenamingAFileChangesTheFingerprint() {
        let split = [ConfigurationRelease.File(name: "a.yaml", text: "ab"), .init(name: "b.yaml", text: "c")]
        let moved = [ConfigurationRelease.File(name: "a.yaml", text: "a"), .init(name: "b.yaml", text: "bc")]
        #expect(Self.fingerprint(split) != Self.fingerprint(moved))
        var renamed = Self.files
        renamed[1].name = "ankara.yaml"
        #expect(Self.fingerprint(renamed) != Self.fingerprint(Self.files))
        #expect(ConfigurationFingerprint.short(Self.fingerprint(Self.files)).count == 12)
        #expect(!ConfigurationFingerprint.isWellFormed("sha256:" + String(repeating: "F", count: 64)))
    }

    @Test func theHigherSerialWinsAndOfEqualSerialsTheHigherFingerprint() {
        let low = ReleaseRank(serial: 4, fingerprint: "sha256:ff")
        let high = ReleaseRank(serial: 5, fingerprint: "sha256:00")
        #expect(low < high && !(high < low))
        let a = ReleaseRank(serial: 5, fingerprint: "sha256:0a")
        let b = ReleaseRank(serial: 5, fingerprint: "sha256:0b")
        #expect(a < b && !(b < a) && !(a < a))
        #expect([b, a, high, low].sorted() == [low, high, a, b])
    }

    @Test func aPeersAnnouncementIsCheckedBeforeUse() {
        let skew = Duration.seconds(30)
        #expect(Self.announcement(7).problem(at: Self.now, maximumSkew: skew) == nil)
        #expect(Self.announcement(ConfigurationAnnouncement.largestSerial + 1).problem(at: Self.now, maximumSkew: skew) != nil)
        #expect(Self.announcement(7, "fnv1a64:0123456789abcdef").problem(at: Self.now, maximumSkew: skew) != nil)
        #expect(Self.announcement(7, author: "").problem(at: Self.now, maximumSkew: skew) != nil)
        #expect(Self.announcement(7, author: "ayse\nserial 99").problem(at: Self.now, maximumSkew: skew) != nil)
        #expect(Self.announcement(7, author: String(repeating: "a", count: 201)).problem(at: Self.now, maximumSkew: skew) != nil)
        #expect(Self.announcement(7, at: Self.now + .seconds(31)).problem(at: Self.now, maximumSkew: skew) != nil)
    }

    @Test func theNextSerialIsOneAboveTheHighestKnownAndStopsAtTheLargest() {
        #expect(ConfigurationAnnouncement.nextSerial(after: []) == 1)
        #expect(ConfigurationAnnouncement.nextSerial(after: [3, 9, 0]) == 10)
        #expect(ConfigurationAnnouncement.nextSerial(after: [ConfigurationAnnouncement.largestSerial]) == nil)
    }

    @Test func aReleaseWhoseFilesAreNotTheAnnouncedOnesOrNotPlainYAMLFilesIsRefused() {
        let release = ConfigurationRelease(announcement: Self.announcement(3), files: Self.files, signature: "")
        #expect(release.problem(at: Self.now, maximumSkew: .seconds(30)) == nil)
        var edited = release
        edited.files[0].text += "# more\n"
        #expect(edited.problem(at: Self.now, maximumSkew: .seconds(30)) == "the files' fingerprint is not the one announced")
        for name in ["../global.yaml", ".hidden.yaml", "notes.txt", "", "a\u{0}.yaml", String(repeating: "a", count: 256) + ".yaml"] {
            #expect(ConfigurationRelease.problem(with: [.init(name: name, text: "")]) != nil, "\(name.debugDescription)")
        }
        #expect(ConfigurationRelease.problem(with: Self.files + Self.files.prefix(1))?.contains("two files") == true)
        #expect(ConfigurationRelease.problem(with: []) == "no files")
        let many = (0...ConfigurationRelease.mostFiles).map { ConfigurationRelease.File(name: "r\($0).yaml", text: "") }
        #expect(ConfigurationRelease.problem(with: many) != nil)
        let huge = [ConfigurationRelease.File(name: "big.yaml", text: String(repeating: "#", count: ConfigurationRelease.largestText + 1))]
        #expect(ConfigurationRelease.problem(with: huge) != nil)
    }

    @Test func theSignedMessageCoversEveryFieldOfTheAnnouncement() {
        let base = Self.announcement(3)
        var variants = [base, base, base, base, base]
        variants[0].serial = 4
        variants[1].fingerprint = Self.fingerprint([.init(name: "x.yaml", text: "")])
        variants[2].author = "mallory"
        variants[3].madeAt = base.madeAt + .nanoseconds(1)
        variants[4].signer = "ankara"
        for variant in variants {
            #expect(ConfigurationRelease.signedMessage(variant) != ConfigurationRelease.signedMessage(base))
        }
    }
}

/// `ReleaseFollowing`: which release a director fetches, once, and what it leaves alone.
struct ReleaseFollowingTests {
    typealias Following = ReleaseFollowing<RegionName>
    let now = ConfigurationReleaseTests.now

    func announced(_ serial: UInt64, _ digit: Character = "a") -> ConfigurationAnnouncement {
        ConfigurationReleaseTests.announcement(serial, "sha256:" + String(repeating: digit, count: 64))
    }

    @Test func theHighestOutrankingReleaseIsFetchedFromEveryPeerThatAnnouncesIt() {
        var following = Following()
        let action = following.next(running: announced(2).rank, heard: ["ankara": announced(3), "izmir": announced(5), "van": announced(5)],
                                    at: now)
        #expect(action == .fetch(announced(5), from: ["izmir", "van"]))
        #expect(following.next(running: announced(2).rank, heard: ["izmir": announced(5)], at: now) == .none, "one fetch at a time")
        following.finished(announced(5).rank, .installed, at: now)
        #expect(following.next(running: announced(5).rank, heard: ["izmir": announced(5)], at: now) == .none)
    }

    @Test func anUnnumberedFolderIsNeverFollowedAndAnOlderReleaseNeither() {
        var following = Following()
        #expect(following.next(running: nil, heard: ["ankara": announced(0, "f")], at: now) == .none)
        #expect(following.next(running: announced(4).rank, heard: ["ankara": announced(3, "f")], at: now) == .none)
        #expect(following.next(running: nil, heard: ["ankara": announced(1)], at: now) == .fetch(announced(1), from: ["ankara"]))
    }

    @Test func racingReleasesOfOneSerialEndOnTheHigherFingerprintEverywhere() {
        var applierA = Following(), applierB = Following()
        let a = announced(6, "a"), b = announced(6, "b")
        #expect(applierA.next(running: a.rank, heard: ["ankara": b], at: now) == .fetch(b, from: ["ankara"]))
        #expect(applierB.next(running: b.rank, heard: ["istanbul": a], at: now) == .none)
    }

    @Test func aRefusedReleaseIsNotTriedAgainButTheNextOneIs() {
        var following = Following()
        let bad = announced(7)
        #expect(following.next(running: announced(6).rank, heard: ["ankara": bad], at: now) == .fetch(bad, from: ["ankara"]))
        following.finished(bad.rank, .refused("no region 'istanbul'"), at: now)
        for second in 1...100 {
            #expect(following.next(running: announced(6).rank, heard: ["ankara": bad], at: now + .seconds(Int64(second))) == .none)
        }
        #expect(following.problem(of: bad.rank) == "no region 'istanbul'")
        #expect(following.next(running: announced(6).rank, heard: ["ankara": announced(8)], at: now) == .fetch(announced(8), from: ["ankara"]))
    }

    @Test func aReleaseNoPeerGaveIsAskedForAgainAfterTheRetryDelay() {
        var following = Following(retryAfter: .seconds(5))
        let release = announced(3)
        _ = following.next(running: nil, heard: ["ankara": release], at: now)
        following.finished(release.rank, .unreachable, at: now)
        #expect(following.next(running: nil, heard: ["ankara": release], at: now + .seconds(4)) == .none)
        #expect(following.next(running: nil, heard: ["ankara": release], at: now + .seconds(5)) == .fetch(release, from: ["ankara"]))
    }

    @Test func whatIsRememberedIsBounded() {
        var following = Following()
        for serial in 1...100 {
            _ = following.next(running: nil, heard: ["ankara": announced(UInt64(serial))], at: now)
            following.finished(announced(UInt64(serial)).rank, .refused("bad"), at: now)
        }
        #expect(following.problem(of: announced(100).rank) == "bad")
        #expect(following.problem(of: announced(1).rank) == nil, "the lowest are forgotten first")
    }
}
