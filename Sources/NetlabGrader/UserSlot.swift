import CNetlabLinux
import Foundation
import Glibc
import NetlabProcesses
import NetlabSockets
import NetlabTopics

/// A user id of the grader's own for one grading, when netlab runs as root: 64000 and up.
///
/// Each grading running at once gets its own, so programs cannot signal, trace or write to each other,
/// and RLIMIT_NPROC counts one program's processes alone. A lock file (flock(2) in /run/netlab-users)
/// keeps the id from any other grading meanwhile, in this netlab or another. Ids that name an account
/// are skipped. Whatever still runs as the id is killed when the slot is taken and when it is released.
final class UserSlot: @unchecked Sendable {
    // @unchecked Sendable: owns its lock file's descriptor; every field is immutable.

    let user: ChildProcess.User
    private let lockFD: Int32

    static let firstUID: uid_t = 64_000
    static let count = 1000

    private init(uid: uid_t, lockFD: Int32) {
        user = ChildProcess.User(uid: uid, gid: gid_t(uid))
        self.lockFD = lockFD
    }

    /// Takes a free id; throws when none is free or the lock folder is not root's alone.
    static func take() throws -> UserSlot {
        let folder = try lockFolder()
        for index in 0..<count {
            let uid = firstUID + uid_t(index)
            if hasAccount(uid) { continue }
            let fd = open("\(folder)/\(uid)", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                // A grader killed with -9 may have left processes of this id running.
                _ = cnetlab_kill_user(Int32(bitPattern: uid))
                return UserSlot(uid: uid, lockFD: fd)
            }
            close(fd)
        }
        throw RuntimeError(
            "cannot find a free user id for the program: \(count) gradings already run at once (locks in \(folder))")
    }

    /// Kills whatever still runs as the id, then frees it.
    func release() {
        _ = cnetlab_kill_user(Int32(bitPattern: user.uid))
        close(lockFD)
    }

    /// /run/netlab-users (or /tmp/netlab-users without /run), made if missing and checked to be root's alone:
    /// a folder another user could write would let them hold or swap the locks.
    private static func lockFolder() throws -> String {
        var isFolder: ObjCBool = false
        let base =
            FileManager.default.fileExists(atPath: "/run", isDirectory: &isFolder) && isFolder.boolValue
            ? "/run" : "/tmp"
        let folder = base + "/netlab-users"
        _ = mkdir(folder, 0o700)
        var info = stat()
        guard lstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == 0, info.st_mode & 0o022 == 0
        else {
            throw RuntimeError(
                "cannot lock a user id for the program: \(folder) is not a folder that only root may write — remove it")
        }
        return folder
    }

    /// Whether /etc/passwd names an account with this uid. Read directly rather than with getpwuid_r:
    /// the release build is a static executable, and glibc's static name-service lookups crash there.
    static func hasAccount(_ uid: uid_t, passwd: String = "/etc/passwd") -> Bool {
        guard let text = try? String(contentsOfFile: passwd, encoding: .utf8) else { return false }
        // name:password:UID:GID:gecos:home:shell
        return text.split(separator: "\n").contains { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            return fields.count > 2 && fields[2] == Substring(String(uid))
        }
    }
}
