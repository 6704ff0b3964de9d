import CNetlabLinux
import Foundation
import Glibc
import NetlabProcesses
import NetlabSockets

/// How the grader keeps an untrusted program apart from netlab, the machine and the other submissions.
///
/// Always: a supervisor ends every process the program starts when its grading ends, however it
/// detaches (`ChildProcess`); it runs without a terminal, with an allow-listed environment, in a private
/// copy of its files (`PrivateFolder`), under `ProgramLimits`. As root, also: as a user of its own
/// (`UserSlot`) that owns its folder (mode 0700) and nothing else, and in a mount namespace of its own
/// where `hiddenFolders` (the class's folder, the exercises) are covered by an empty file system.
public struct Isolation: Sendable {
    public var limits = ProgramLimits()
    /// Folders the program must not see, such as the exercises (with their checks) and the class's
    /// submissions; hidden only as root.
    public var hiddenFolders: [String] = []
    /// In a batch, the submission's folder: copied into the program's private folder, which `{dir}`
    /// then names.
    public var submission: String?

    public init() {}

    /// Whether netlab runs as root, and so can give the program a user of its own.
    public static var isRoot: Bool { geteuid() == 0 }

    /// 0 when a child can make a private mount namespace here (probed once, as root), else the errno.
    static let mountNamespaceError: Int32 = geteuid() == 0 ? cnetlab_probe_mount_namespace() : EPERM

    /// Whether folders can be hidden from the program.
    static var canHideFolders: Bool { isRoot && mountNamespaceError == 0 }

    /// The protections this machine does not allow, as one sentence; nil when every one applies.
    public static func unappliedProtections() -> String? {
        if !isRoot {
            return "not run as root, so the program runs as your own user: it can read and change what you can "
                + "(other submissions and the exercises' checks too), and --max-procs counts from the processes "
                + "you already run; grade as root to give it a user and a view of the files of its own"
        }
        if mountNamespaceError != 0 {
            return "no private mount namespace here (\(Errno.name(mountNamespaceError))), so the program, though "
                + "running as a user of its own, can read world-readable files such as the exercises' checks.json"
        }
        return nil
    }
}

/// The resource limits of a program under test (setrlimit(2), in the program alone).
public struct ProgramLimits: Sendable, Equatable {
    /// Processes and threads (RLIMIT_NPROC); without root, counted from those netlab's user already runs.
    public var processes = 128
    /// Address space per process (RLIMIT_AS), in bytes.
    public var memoryBytes: UInt64 = 2 << 30
    /// Largest file it may write (RLIMIT_FSIZE), in bytes.
    public var fileSizeBytes: UInt64 = 64 << 20
    /// CPU seconds per process (RLIMIT_CPU): SIGXCPU, then SIGKILL a second later.
    public var cpuSeconds = 60
    /// Open descriptors per process (RLIMIT_NOFILE).
    public var openFiles = 256

    /// Tasks left free for netlab's own threads when the program shares its user's process limit.
    static let netlabReserve = 32

    public init() {}

    /// A size such as `512M`, `2G` or `65536` (bytes); K, M and G are powers of 1024. Nil if not one.
    public static func bytes(_ text: String) -> UInt64? {
        let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = text.uppercased()
        var unit: UInt64 = 1
        if let last = digits.last, let scale = units[last] {
            unit = scale
            digits.removeLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let number = UInt64(digits), number > 0 else {
            return nil
        }
        let (product, overflow) = number.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }

    /// The limits for one program; `sharesUser` when it runs as netlab's own user, whose processes
    /// RLIMIT_NPROC counts too.
    func resourceLimits(sharesUser: Bool) -> [ChildProcess.Limit] {
        var processes = UInt64(self.processes)
        if sharesUser {
            // RLIMIT_NPROC counts every task of the real user: start from those it runs now, and keep a
            // reserve below the user's own limit, so a fork bomb cannot take the threads netlab needs.
            let hard = Self.currentHardLimit(cnetlab_RLIMIT_NPROC)
            var limit = UInt64(Self.taskCount(ofUser: getuid())) + processes
            if hard != UInt64.max {
                limit = min(limit, hard > UInt64(Self.netlabReserve) ? hard - UInt64(Self.netlabReserve) : 1)
            }
            processes = max(1, limit)
        }
        let wanted: [(Int32, UInt64, UInt64)] = [
            (cnetlab_RLIMIT_NPROC, processes, processes),
            (cnetlab_RLIMIT_AS, memoryBytes, memoryBytes),
            (cnetlab_RLIMIT_FSIZE, fileSizeBytes, fileSizeBytes),
            (cnetlab_RLIMIT_CPU, UInt64(cpuSeconds), UInt64(cpuSeconds) + 1),
            (cnetlab_RLIMIT_NOFILE, UInt64(openFiles), UInt64(openFiles)),
            (cnetlab_RLIMIT_CORE, 0, 0),  // no core files in its folder
        ]
        return wanted.map { resource, soft, hard in
            // Never above what netlab has: raising a hard limit needs privileges, and is not the point.
            let ceiling = Self.currentHardLimit(resource)
            return ChildProcess.Limit(resource: resource, soft: min(soft, ceiling), hard: min(hard, ceiling))
        }
    }

    private static func currentHardLimit(_ resource: Int32) -> UInt64 {
        var current = rlimit()
        return getrlimit(__rlimit_resource_t(resource), &current) == 0 ? UInt64(current.rlim_max) : UInt64.max
    }

    /// How many tasks (processes and threads) `uid` runs, from /proc.
    static func taskCount(ofUser uid: uid_t) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var count = 0
        for entry in entries where entry.first?.isNumber == true {
            guard let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8) else { continue }
            var realUser: uid_t?
            var threads = 1
            for line in status.split(separator: "\n") {
                let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
                if line.hasPrefix("Uid:"), fields.count > 1 { realUser = uid_t(fields[1]) }
                if line.hasPrefix("Threads:"), fields.count > 1 { threads = Int(fields[1]) ?? 1 }
            }
            if realUser == uid { count += threads }
        }
        return count
    }
}
