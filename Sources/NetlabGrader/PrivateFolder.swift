import Foundation
import Glibc
import NetlabProcesses
import NetlabSockets
import NetlabTopics

/// The program's own folder: a private copy of its files, its working folder, its HOME, with its TMPDIR inside.
///
/// The program never runs where its files came from, so it cannot change them, nor find another
/// submission next to them. As root the folder and everything in it belong to the program's user, mode
/// 0700: no other program can read or change it.
struct PrivateFolder {
    let path: String
    let owner: ChildProcess.User?

    /// Its TMPDIR.
    var temporary: String { path + "/.tmp" }

    /// A batch copies at most this much of a submission.
    static let submissionBudget = Budget(entries: 10_000, bytes: 512 << 20)
    /// A file the command names is copied with its folder when the folder is at most this big.
    static let smallFolder = Budget(entries: 100, bytes: 10 << 20)

    /// What a copy may still take.
    struct Budget {
        var entries: Int
        var bytes: Int64
    }

    /// Makes a new folder under the temporary folder (mkdtemp(3), mode 0700), owned by `owner`.
    init(owner: ChildProcess.User?) throws {
        let template = NSTemporaryDirectory() + "netlab-grade-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else {
            throw RuntimeError("cannot make a temporary folder for the program — is /tmp full?")
        }
        path = String(cString: made)
        self.owner = owner
        guard mkdir(temporary, 0o700) == 0 else {
            throw RuntimeError("cannot make a temporary folder for the program — is /tmp full?")
        }
        give(path)
        give(temporary)
    }

    /// Copies everything in `source` into the folder: a batch's submission.
    func copyContents(of source: String) throws {
        var budget = Self.submissionBudget
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: source)
        } catch {
            throw SubmissionProblem("cannot read the submission folder \(source) — check its permissions")
        }
        for name in names.sorted() {
            try copy(source + "/" + name, to: path + "/" + name, budget: &budget, skipsHiddenFolders: false)
        }
    }

    /// Copies the files and folders that `command` names by a relative path (`server.py`,
    /// `src/server.py`, `data`) to the same path inside the folder, a file with the rest of its folder
    /// when that is small (a module the program imports), so each word, passed as written, names the
    /// copy. Absolute paths stay where they are; paths with `..` are refused before
    /// (`ProgramUnderTest.checkPaths`).
    func copyNamedFiles(in command: [String]) throws {
        for (index, word) in command.enumerated() {
            guard !word.isEmpty, !word.hasPrefix("/"), !word.hasPrefix("-"), !word.contains("{"),
                index > 0 || word.contains("/"),
                !word.split(separator: "/").contains("..")
            else { continue }
            if Self.isFolder(word) {
                guard word.split(separator: "/").contains(where: { $0 != "." }) else { continue }  // "." is below
                try makeParents(of: path + "/" + word + "/x")
                var budget = Self.submissionBudget
                try copy(word, to: path + "/" + word, budget: &budget, skipsHiddenFolders: true)
                continue
            }
            guard Self.isRegularFile(word) else { continue }
            let parent = (word as NSString).deletingLastPathComponent
            let folder = parent.isEmpty ? "." : parent
            var measure = Self.smallFolder
            if Self.fits(folder, in: &measure) {
                try makeParents(of: path + "/" + folder + "/x")
                var budget = Self.smallFolder
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
                for name in names.sorted() {
                    try copy(
                        folder + "/" + name, to: path + "/" + folder + "/" + name, budget: &budget,
                        skipsHiddenFolders: true)
                }
            } else {
                try makeParents(of: path + "/" + word)
                var budget = Self.submissionBudget
                try copy(word, to: path + "/" + word, budget: &budget, skipsHiddenFolders: true)
            }
        }
    }

    /// Gives `file` to the program's user (as root), without following a symbolic link.
    func give(_ file: String) {
        if let owner { _ = lchown(file, owner.uid, owner.gid) }
    }

    /// Removes the folder and everything the program left in it.
    func remove() {
        if (try? FileManager.default.removeItem(atPath: path)) != nil { return }
        // Without root, a folder the program made unreadable stops the removal: open it up, then retry.
        Self.openUp(path)
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func openUp(_ folder: String) {
        _ = chmod(folder, 0o700)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            var info = stat()
            if lstat(folder + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { openUp(folder + "/" + name) }
        }
    }

    /// Makes the folders above `file` inside the private folder, owned by the program's user.
    private func makeParents(of file: String) throws {
        var current = path
        let relative = String(file.dropFirst(path.count + 1))
        for part in relative.split(separator: "/").dropLast() where part != "." {
            current += "/" + part
            if mkdir(current, 0o755) == 0 {
                give(current)
            } else if errno != EEXIST {
                throw RuntimeError("cannot make \(current) for the program (\(Errno.name(errno))) — is /tmp full?")
            }
        }
    }

    private static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Whether `folder` holds no more than `budget` (hidden folders such as .git left out).
    private static func fits(_ folder: String, in budget: inout Budget) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return false }
        for name in names {
            var info = stat()
            guard lstat(folder + "/" + name, &info) == 0 else { continue }
            let isFolder = info.st_mode & S_IFMT == S_IFDIR
            if isFolder && name.hasPrefix(".") { continue }
            budget.entries -= 1
            budget.bytes -= Int64(info.st_size)
            if budget.entries < 0 || budget.bytes < 0 { return false }
            if isFolder && !fits(folder + "/" + name, in: &budget) { return false }
        }
        return true
    }

    /// Copies a file, a folder (recursively) or a symbolic link (as a link, never followed); anything
    /// else is left out. Throws when the budget runs out or a file cannot be read.
    private func copy(_ source: String, to target: String, budget: inout Budget, skipsHiddenFolders: Bool) throws {
        var info = stat()
        guard lstat(source, &info) == 0 else { return }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR && skipsHiddenFolders && (source as NSString).lastPathComponent.hasPrefix(".") { return }
        budget.entries -= 1
        budget.bytes -= Int64(info.st_size)
        if budget.entries < 0 || budget.bytes < 0 {
            throw SubmissionProblem(
                "\(source) is part of more than \(Self.submissionBudget.entries) files or "
                    + "\(Self.submissionBudget.bytes >> 20) MB; netlab copies a submission before running it — "
                    + "leave out what the program does not need")
        }
        // Its permissions, without set-user-ID and the like; always readable and writable by its owner.
        let mode = mode_t(info.st_mode & 0o777) | 0o600
        switch kind {
        case S_IFDIR:
            guard mkdir(target, mode | 0o700) == 0 || errno == EEXIST else {
                throw RuntimeError("cannot copy \(source) for the program (\(Errno.name(errno)))")
            }
            give(target)
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: source)
            } catch {
                throw SubmissionProblem("cannot read \(source) to copy it for the program — check its permissions")
            }
            for name in names.sorted() {
                try copy(
                    source + "/" + name, to: target + "/" + name, budget: &budget,
                    skipsHiddenFolders: skipsHiddenFolders)
            }
        case S_IFREG:
            try Self.copyBytes(from: source, to: target, mode: mode)
            give(target)
        case S_IFLNK:
            if let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: source),
                symlink(destination, target) == 0
            {
                give(target)
            }
        default:
            return  // a socket, a pipe or a device is no part of a submission
        }
    }

    private static func copyBytes(from source: String, to target: String, mode: mode_t) throws {
        let input = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard input >= 0 else {
            throw SubmissionProblem("cannot read \(source) to copy it for the program (\(Errno.name(errno)))")
        }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        if output < 0 && errno == EEXIST { return }  // named twice: copied already
        guard output >= 0 else {
            throw RuntimeError("cannot copy \(source) for the program (\(Errno.name(errno))) — is /tmp full?")
        }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw RuntimeError("cannot read \(source) to copy it for the program (\(Errno.name(errno)))")
            }
            if count == 0 { return }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    throw RuntimeError("cannot copy \(source) for the program (\(Errno.name(errno))) — is /tmp full?")
                }
                offset += written
            }
        }
    }
}
