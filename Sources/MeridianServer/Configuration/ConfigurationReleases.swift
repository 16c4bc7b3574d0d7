import MeridianCore
import NIOConcurrencyHelpers

/// A director's side of the configuration releases: the ones it keeps, the key it signs new ones
/// with and the keys it checks its peers' with, which release it follows (`ReleaseFollowing`),
/// and what went wrong. Applies and installs take `installing` one at a time, so two applies at once
/// still get two serials.
final class ConfigurationReleases: Sendable {
    let store: ReleaseStore
    /// This director's key and where it finds its peers' keys; `nil` without a key, when it neither
    /// makes releases nor takes its peers'.
    let credentials: PeerCredentials?
    let installing = NIOLock()
    let following = NIOLockedValueBox(ReleaseFollowing<DirectorName>())
    private let state = NIOLockedValueBox(State())

    private struct State {
        var installFailures: UInt64 = 0
        var problem: String?
        /// The fingerprint of the configuration folder when it was last read (at start, on SIGHUP).
        var folderFingerprint: String?
    }

    init(store: ReleaseStore, credentials: PeerCredentials?, folderFingerprint: String?) {
        self.store = store
        self.credentials = credentials
        state.withLockedValue { $0.folderFingerprint = folderFingerprint }
    }

    /// How many releases could not be installed (`meridian_configuration_install_failures_total`).
    var installFailures: UInt64 { state.withLockedValue { $0.installFailures } }

    /// Why the latest release that could not be installed was not; `nil` once one is installed.
    var problem: String? { state.withLockedValue { $0.problem } }

    /// Counts a release that could not be installed, and says why until one is.
    func failed(_ problem: String) {
        state.withLockedValue {
            $0.installFailures += 1
            $0.problem = problem
        }
    }

    /// A release was installed: the problem is over.
    func installed() {
        state.withLockedValue { $0.problem = nil }
    }

    /// The fingerprint of the configuration folder when it was last read whole (at start, or by a
    /// SIGHUP that applied it).
    var folderFingerprint: String? { state.withLockedValue { $0.folderFingerprint } }

    /// Records `fingerprint` as the folder's, read whole.
    func readFolder(_ fingerprint: String) {
        state.withLockedValue { $0.folderFingerprint = fingerprint }
    }

    /// The configuration the director `director` of `region` starts on, and its release: the
    /// highest kept release when it loads and still names the director in the region (a release
    /// installed since the folder was written, or one the folder was applied as), else `given`,
    /// unnumbered.
    func starting(_ given: Configuration, director: DirectorName, region: RegionName) -> (Configuration, ConfigurationAnnouncement?) {
        guard let highest = store.announcements.last, let release = store.release(highest.serial),
              let kept = try? ConfigurationLoader.load(files: release.sourceFiles), kept.director(director)?.region == region else {
            return (given, nil)
        }
        return (kept, release.announcement)
    }

    /// The public key of `signer` under `configuration`, if it has one.
    func key(of signer: DirectorName, in configuration: Configuration) -> DirectorKey? {
        guard let credentials, configuration.director(signer) != nil else { return nil }
        return credentials.keyring.key(of: signer, in: configuration)
    }
}
