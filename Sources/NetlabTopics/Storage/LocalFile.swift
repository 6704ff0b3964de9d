import Glibc

/// An open file on this machine, read or written in large pieces, closed when the value goes away.
///
/// The file servers read and write through it rather than through Foundation so a transfer never holds
/// a whole file in memory, and so an upload can be written at an offset (a resumed upload) and flushed.
public final class LocalFile: @unchecked Sendable {  // one owner at a time: a session's own file, never shared
    public let path: String
    private let fd: Int32

    /// Opens `path` for reading. A symbolic link as the last part is refused (O_NOFOLLOW): the jail has
    /// already resolved every link, so one found here was made after the check.
    public static func reading(_ path: String) throws -> LocalFile {
        try LocalFile(path, flags: O_RDONLY | O_NOFOLLOW)
    }

    /// Opens `path` for writing, creating it (mode 0644) if it does not exist, keeping what it holds.
    public static func writing(_ path: String) throws -> LocalFile {
        try LocalFile(path, flags: O_WRONLY | O_CREAT | O_NOFOLLOW)
    }

    private init(_ path: String, flags: Int32) throws {
        self.path = path
        let fd = open(path, flags | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(errno, "opening", path) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The file's size and identity now.
    public func status() throws -> FileStatus {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError(errno, "reading the size of", path) }
        return FileStatus(info)
    }

    /// Reads up to `buffer.count` bytes at `offset` into `buffer`; 0 at the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        while true {
            let count = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno != EINTR { throw FileError(errno, "reading", path) }
        }
    }

    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let count = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(errno, "writing", path)
            }
            done += count
        }
    }

    /// Cuts the file to `size` bytes.
    public func truncate(to size: Int64) throws {
        guard ftruncate(fd, off_t(size)) == 0 else { throw FileError(errno, "truncating", path) }
    }

    /// Waits until what was written is on the disk.
    public func flush() throws {
        guard fsync(fd) == 0 else { throw FileError(errno, "flushing", path) }
    }
}

/// A file's size, kind and identity, from stat(2).
public struct FileStatus: Sendable, Equatable {
    public let size: Int64
    public let isFolder: Bool
    public let isRegularFile: Bool
    /// Device, inode and modification time in nanoseconds: a file whose identity is the same has not changed.
    public let identity: [Int64]

    init(_ info: stat) {
        size = Int64(info.st_size)
        isFolder = info.st_mode & S_IFMT == S_IFDIR
        isRegularFile = info.st_mode & S_IFMT == S_IFREG
        identity = [
            Int64(info.st_dev), Int64(info.st_ino),
            Int64(info.st_mtim.tv_sec) * 1_000_000_000
                + Int64(info.st_mtim.tv_nsec), size,
        ]
    }

    /// The status of `path` without following a last symbolic link; nil when nothing is there.
    public static func of(_ path: String) -> FileStatus? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileStatus(info)
    }
}
