import Foundation
import Glibc

/// The processes a graded program runs as, read from /proc: everything below its supervisor.
///
/// The supervisor is a child subreaper, so a process the program starts stays below it however it
/// detaches (a double fork, `setsid`): the tree is the program's whole footprint. The grader reads it
/// to know which sockets are the program's own, how much CPU the program spends, and its memory.
package struct ProgramTree {
    /// The PIDs below the supervisor, the program first; empty where /proc cannot be read.
    package let pids: [pid_t]

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
    package init(of process: ChildProcess) {
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
    package var socketInodes: Set<UInt64> {
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
    package var cpuSeconds: Double { pids.reduce(0) { $0 + (ProcessUsage.cpuSeconds($1) ?? 0) } }

    /// Nanoseconds each thread of the tree has spent on a processor or ready to run, waiting for one
    /// (`/proc/PID/task/TID/schedstat`), by thread ID; empty where the kernel keeps no such figures.
    ///
    /// Unlike CPU time, this counts a busy loop fully however loaded the machine is: a thread that always
    /// wants a processor is running or waiting for one all the time, and an idle one is doing neither.
    package var busyNanosecondsByThread: [pid_t: UInt64] {
        var result: [pid_t: UInt64] = [:]
        for pid in pids {
            guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else {
                continue
            }
            for thread in threads {
                // `run_ns wait_ns timeslices`
                guard let tid = pid_t(thread), let text = Self.read("/proc/\(pid)/task/\(thread)/schedstat") else {
                    continue
                }
                let fields = text.split(separator: " ").prefix(2).compactMap { UInt64($0) }
                if fields.count == 2 { result[tid] = fields[0] + fields[1] }
            }
        }
        return result
    }

    /// Whether every thread of the tree is asleep (blocked in accept, recv, a sleep...): none is running,
    /// none is exiting (PF_EXITING) or a zombie. False for an empty tree, or when a thread cannot be read.
    package var isAsleep: Bool {
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
    var peakMemoryBytes: Int { pids.map { (ProcessUsage.peakResidentKiB($0) ?? 0) * 1024 }.max() ?? 0 }

    private static func read(_ path: String) -> String? {
        KernelTCPTable.procFile(path)
    }
}
