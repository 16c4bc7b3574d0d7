#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes that survive a crash, for the files of a state folder (mode 0600: they hold operators'
/// reasons and names).
enum DurableFile {
    /// Why a write failed.
    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }

    /// Replaces `path` with `data` atomically: a temporary file, flushed to disk, renamed over the old
    /// one, and the folder flushed, so a crash leaves either the old file or the new one, never a torn one.
    static func replace(_ path: String, with data: Data) throws(WriteError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriteError(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = writeAll(data, to: fd)
        let synced = fsync(fd) == 0
        close(fd)
        guard written, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw WriteError(description: "cannot replace \(path): \(reason)")
        }
        syncFolder(of: path)
    }

    /// Appends `data` to `path` (created 0600 if missing) and flushes it to disk.
    static func append(_ data: Data, to path: String) throws(WriteError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriteError(description: "cannot append to \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard writeAll(data, to: fd), fdatasync(fd) == 0 else {
            throw WriteError(description: "cannot append to \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func writeAll(_ data: Data, to fd: Int32) -> Bool {
        data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let result = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += result
            }
            return true
        }
    }

    /// Flushes the folder holding `path` (a rename in it) to disk.
    static func syncFolder(of path: String) {
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return }
        fsync(folder)
        close(folder)
    }
}
