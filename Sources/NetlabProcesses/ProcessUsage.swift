import Foundation

/// What a process uses, from /proc: resident memory and CPU time, for the benchmarks' reports.
package enum ProcessUsage {
    /// VmRSS of a process, from /proc/PID/status.
    package static func residentKiB(_ pid: Int32) -> Int? { statusKiB(pid, "VmRSS") }

    /// The most resident memory a process has had (VmHWM), from /proc/PID/status.
    static func peakResidentKiB(_ pid: Int32) -> Int? { statusKiB(pid, "VmHWM") }

    /// A `NAME: N kB` field of /proc/PID/status.
    private static func statusKiB(_ pid: Int32, _ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// The CPU time a process has used so far, user and system, all its threads (/proc/PID/stat);
    /// with no PID, this process's.
    package static func cpuSeconds(_ pid: Int32? = nil) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid.map(String.init) ?? "self")/stat", encoding: .utf8),
            let nameEnd = stat.lastIndex(of: ")")
        else { return nil }
        // After the name in parentheses come the fields from the third on: utime is the 14th, stime the 15th.
        let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
