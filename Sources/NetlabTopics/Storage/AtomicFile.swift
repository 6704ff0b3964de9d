import Foundation
import Glibc

/// Files written whole or not at all: the bytes go to a new file beside the real one, are flushed to the
/// disk, and only then renamed over the real name. A reader sees the old file or the new one, never half,
/// even if the writer is killed or the machine loses power part way.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, with `permissions` (such as 0o600 for a file of secrets).
    public static func write(_ bytes: [UInt8], to path: String, permissions: mode_t = 0o644) throws {
        let temporary = temporaryName(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw FileError(errno, "creating", temporary) }
        var written = 0
        var failure: FileError?
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = FileError(errno, "writing", temporary)
                    return
                }
                written += count
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = FileError(errno, "flushing", temporary) }
        close(fd)
        if failure == nil, rename(temporary, path) != 0 { failure = FileError(errno, "renaming", temporary) }
        if let failure {
            unlink(temporary)
            throw failure
        }
        syncFolder(of: path)
    }

    /// A name beside `path` no other writer picks: `.NAME.PID.RANDOM.tmp`.
    static func temporaryName(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Flushes a folder's entries, so a rename in it survives a power cut too.
    public static func syncFolder(of path: String) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// A failed file operation: what was done to which file, and the C library's reason.
public struct FileError: Error, CustomStringConvertible {
    public let code: Int32
    public let description: String

    public init(_ code: Int32, _ operation: String, _ path: String) {
        self.code = code
        description = "\(operation) \(path) failed: \(String(cString: strerror(code)))"
    }
}
