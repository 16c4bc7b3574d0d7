#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MeridianCore
import NIOConcurrencyHelpers

/// The configuration releases a director keeps: the latest `capacity` by serial, each in
/// `configurations/<serial>/` of the state folder (its files as they were, and `release.json` with
/// its announcement, signature and file names), or only in memory without a state folder. A release
/// is written whole into a temporary folder and renamed into place, so a crash leaves it complete
/// or absent; of two releases with one serial (racing applies), the one that outranks the other is kept.
final class ReleaseStore: Sendable {
    /// The folder of the kept releases inside a state folder.
    static let folderName = "configurations"
    static let metadataFile = "release.json"
    /// How many releases are kept.
    let capacity: Int
    private let directory: String?
    private let state: NIOLockedValueBox<State>

    private struct State {
        var announcements: [UInt64: ConfigurationAnnouncement] = [:]
        /// The releases themselves, without a folder.
        var releases: [UInt64: ConfigurationRelease] = [:]
    }

    /// What `release.json` holds: everything but the files' texts, which sit beside it.
    private struct Metadata: Codable {
        var announcement: ConfigurationAnnouncement
        var signature: String
        var files: [String]
    }

    /// Why a release could not be kept.
    struct KeepError: Error, CustomStringConvertible {
        var description: String
    }

    /// Keeps releases in `stateDirectory` (`nil`: in memory), reading back those it holds; a folder
    /// that cannot be read back (or whose files are not the ones its fingerprint names) is left
    /// alone and not counted as kept.
    init(stateDirectory: String?, capacity: Int = 20) {
        self.capacity = capacity
        directory = stateDirectory.map { $0 + "/" + Self.folderName }
        state = NIOLockedValueBox(State())
        guard let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        var announcements: [UInt64: ConfigurationAnnouncement] = [:]
        for name in names {
            guard let serial = UInt64(name), String(serial) == name else { continue }
            if let release = read(serial) { announcements[serial] = release.announcement }
        }
        state.withLockedValue { $0.announcements = announcements }
    }

    /// The kept releases' announcements, by serial.
    var announcements: [ConfigurationAnnouncement] {
        state.withLockedValue { $0.announcements.values.sorted { $0.serial < $1.serial } }
    }

    /// The kept release `serial`, if there is one (and, in a folder, it reads back whole).
    func release(_ serial: UInt64) -> ConfigurationRelease? {
        let (known, kept) = state.withLockedValue { ($0.announcements[serial] != nil, $0.releases[serial]) }
        guard known else { return nil }
        return directory == nil ? kept : read(serial)
    }

    /// Keeps `release` (unless a kept one with its serial outranks it) and forgets the lowest
    /// serials beyond `capacity`.
    func keep(_ release: ConfigurationRelease) throws(KeepError) {
        let serial = release.announcement.serial
        if let held = state.withLockedValue({ $0.announcements[serial] }), held.rank >= release.announcement.rank { return }
        if let directory { try write(release, in: directory) }
        let dropped = state.withLockedValue { state -> [UInt64] in
            state.announcements[serial] = release.announcement
            if directory == nil { state.releases[serial] = release }
            let dropped = Array(state.announcements.keys.sorted().dropLast(capacity))
            for serial in dropped {
                state.announcements[serial] = nil
                state.releases[serial] = nil
            }
            return dropped
        }
        if let directory {
            for serial in dropped { try? FileManager.default.removeItem(atPath: "\(directory)/\(serial)") }
        }
    }

    private func write(_ release: ConfigurationRelease, in directory: String) throws(KeepError) {
        let serial = release.announcement.serial
        let final = "\(directory)/\(serial)"
        let temporary = "\(directory)/.\(serial).tmp"
        let replaced = "\(directory)/.\(serial).old"
        do {
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            for file in release.files {
                try DurableFile.replace(temporary + "/" + file.name, with: Data(file.text.utf8))
            }
            let metadata = Metadata(announcement: release.announcement, signature: release.signature, files: release.files.map(\.name))
            try DurableFile.replace(temporary + "/" + Self.metadataFile, with: try JSONEncoder().encode(metadata))
            try? FileManager.default.removeItem(atPath: replaced)
            if FileManager.default.fileExists(atPath: final) { try FileManager.default.moveItem(atPath: final, toPath: replaced) }
            guard rename(temporary, final) == 0 else {
                throw KeepError(description: "cannot rename \(temporary): \(String(cString: strerror(errno)))")
            }
            DurableFile.syncFolder(of: final)
            try? FileManager.default.removeItem(atPath: replaced)
        } catch let error as KeepError {
            throw error
        } catch {
            throw KeepError(description: "cannot keep release \(serial) in \(directory): \(error)")
        }
    }

    /// Release `serial` as its folder holds it, if it reads back whole and its files are the ones
    /// its fingerprint names.
    private func read(_ serial: UInt64) -> ConfigurationRelease? {
        guard let directory else { return nil }
        let folder = "\(directory)/\(serial)"
        guard let data = FileManager.default.contents(atPath: folder + "/" + Self.metadataFile),
              let metadata = try? JSONDecoder().decode(Metadata.self, from: data), metadata.announcement.serial == serial else { return nil }
        var files: [ConfigurationRelease.File] = []
        for name in metadata.files {
            guard !name.contains("/"), let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else { return nil }
            files.append(.init(name: name, text: text))
        }
        let release = ConfigurationRelease(announcement: metadata.announcement, files: files, signature: metadata.signature)
        guard ConfigurationRelease.problem(with: files) == nil,
              ConfigurationFingerprint.of(release.sourceFiles) == metadata.announcement.fingerprint else { return nil }
        return release
    }
}
