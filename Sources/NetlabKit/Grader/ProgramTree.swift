import Foundation
import Glibc

/// The processes a graded program runs as, read from /proc: everything below its supervisor.
///
/// The supervisor is a child subreaper, so a process the program starts stays below it however it
/// detaches (a double fork, `setsid`): the tree is the program's whole footprint. The grader reads it
/// to know which sockets are the program's own, how much CPU the program spends, and its memory.
struct ProgramTree {
    /// The PIDs below the supervisor, the program first; empty where /proc cannot be read.
    let pids: [pid_t]

    /// The tree below `supervisor` now, found through each process's `children` file (cheap: a few reads
    /// per process, never a scan of all of /proc).
    init(supervisor: pid_t) {
        var found: [pid_t] = []
        var queue = Self.children(of: supervisor)
        var seen = Set(queue)
        while !queue.isEmpty {
            let pid = queue.removeFirst()
            found.append(pid)
            for child in Self.children(of: pid) where seen.insert(child).inserted {
                queue.append(child)
            }
        }
        pids = found
    }

    /// The tree of a running program; empty once it has been reaped.
    init(of process: ChildProcess) {
        self.init(supervisor: process.supervisor)
    }

    /// The children of every thread of `pid` (a thread's children are listed under that thread).
    private static func children(of pid: pid_t) -> [pid_t] {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else {
            return []
        }
        var result: [pid_t] = []
        for thread in threads {
            guard let text = read("/proc/\(pid)/task/\(thread)/children") else { continue }
            result += text.split(separator: " ").compactMap {
                pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        return result
    }

    /// The inodes of every socket the tree holds open (`socket:[INODE]` links in /proc/PID/fd), to match
    /// against the kernel's socket tables: a socket listed there is the program's only if its inode is here.
    var socketInodes: Set<UInt64> {
        var inodes: Set<UInt64> = []
        var target = [CChar](repeating: 0, count: 64)
        for pid in pids {
            let folder = "/proc/\(pid)/fd"
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for fd in fds {
                let count = readlink(folder + "/" + fd, &target, target.count - 1)
                guard count > 8 else { continue }
                let link = String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                guard link.hasPrefix("socket:["), link.hasSuffix("]"),
                    let inode = UInt64(link.dropFirst(8).dropLast())
                else { continue }
                inodes.insert(inode)
            }
        }
        return inodes
    }

    /// CPU time (user and system) the tree's live processes have used so far, in seconds.
    var cpuSeconds: Double {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        var ticks = 0.0
        for pid in pids {
            // `pid (comm) state ppid ...`: comm may hold spaces or parentheses, so fields count from the last ')'.
            guard let text = Self.read("/proc/\(pid)/stat"), let close = text.lastIndex(of: ")") else { continue }
            let fields = text[text.index(after: close)...].split(separator: " ")
            // After comm: state is field 0, utime field 11, stime field 12 (stat fields 14 and 15).
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            ticks += user + system
        }
        return ticksPerSecond > 0 ? ticks / ticksPerSecond : 0
    }

    /// Whether every thread of the tree is asleep (blocked in accept, recv, a sleep...): none is running,
    /// none is exiting (PF_EXITING) or a zombie. False for an empty tree, or when a thread cannot be read.
    var isAsleep: Bool {
        guard !pids.isEmpty else { return false }
        for pid in pids {
            guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else {
                return false
            }
            for thread in threads {
                guard let text = Self.read("/proc/\(pid)/task/\(thread)/stat"), let close = text.lastIndex(of: ")")
                else { return false }
                // After comm: state is field 0, flags field 6 (stat fields 3 and 9).
                let fields = text[text.index(after: close)...].split(separator: " ", maxSplits: 8)
                guard fields.count > 6, let flags = UInt(fields[6]) else { return false }
                // S: waiting for an event; D: for the disk; T, t: stopped. PF_EXITING is 0x4.
                guard ["S", "D", "T", "t"].contains(fields[0]), flags & 0x4 == 0 else { return false }
            }
        }
        return true
    }

    /// The largest resident memory any live process of the tree has reached (VmHWM), in bytes.
    var peakMemoryBytes: Int {
        var peak = 0
        for pid in pids {
            guard let text = Self.read("/proc/\(pid)/status"),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
            else { continue }
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            peak = max(peak, kilobytes * 1024)
        }
        return peak
    }

    private static func read(_ path: String) -> String? {
        KernelTCPTable.procFile(path)
    }
}
