import Foundation
import NetlabProcesses
import NetlabSockets
import NetlabTopics
import Synchronization

/// The student's program as the grader runs it: the command with `{host}`, `{port}` and `{dir}` filled
/// in, isolated (`Isolation`) in a private folder, restarted when it dies between checks.
final class ProgramUnderTest: @unchecked Sendable {
    // @unchecked Sendable: used by one grading task at a time; `process` changes only in start/stop.

    let command: [String]
    let port: Int
    let transport: Exercise.Transport
    let isolation: Isolation
    /// Its private folder: its working folder and HOME.
    let folder: String
    /// Whether the server's standard input stays open for the checks' `type` steps.
    let keepsInputOpen: Bool
    private let privateFolder: PrivateFolder
    /// Its user of its own, when netlab runs as root.
    private let slot: UserSlot?
    private(set) var process: ChildProcess?
    /// The CPU time and peak memory of every run of the program, clients and restarts included.
    let meter = ResourceMeter()
    /// Every program started for the grade that may still run (the server, a student's client), for
    /// `killEverything`, which the grade's hard wall calls from another thread.
    private let spawned = Mutex<[ChildProcess]>([])

    init(
        command: [String], port: Int, transport: Exercise.Transport, keepsInputOpen: Bool = false,
        isolation: Isolation = Isolation()
    ) throws {
        self.command = command
        self.port = port
        self.transport = transport
        self.keepsInputOpen = keepsInputOpen
        self.isolation = isolation
        let slot = Isolation.isRoot ? try UserSlot.take() : nil
        let privateFolder: PrivateFolder
        do {
            privateFolder = try PrivateFolder(owner: slot?.user)
        } catch {
            slot?.release()
            throw error
        }
        ChildProcess.removeOnInterrupt(folder: privateFolder.path)
        do {
            try Self.checkPaths(command)
            if let submission = isolation.submission {
                try privateFolder.copyContents(of: submission)
            } else {
                try privateFolder.copyNamedFiles(in: command)
            }
        } catch {
            privateFolder.remove()
            ChildProcess.forgetOnInterrupt(folder: privateFolder.path)
            slot?.release()
            throw error
        }
        self.slot = slot
        self.privateFolder = privateFolder
        folder = privateFolder.path
        // A mistyped program is said once, not as a failed check: the grader's error for one program,
        // the submission's 0 in a batch.
        let program = fill(host: "127.0.0.1", port: port)[0]
        if ChildProcess.executablePath(program, folder: folder, searchPath: environment(host: "", port: 0)["PATH"]!)
            == nil
        {
            let problem = SubmissionProblem(
                missingProgram: command[0], filled: program, folder: folder, isolation: isolation)
            release()
            throw problem
        }
    }

    /// Refuses a word that names an existing file or folder through `..`: the program runs in a private
    /// copy of the folder netlab was started in (or of its submission), where `../x` is somewhere else.
    static func checkPaths(_ command: [String]) throws {
        for word in command where !word.hasPrefix("/") && !word.contains("{") {
            let parts = word.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.contains(".."), FileManager.default.fileExists(atPath: word) else { continue }
            throw RuntimeError(
                "'\(word)' is outside the folder netlab grade runs in, and the program runs in a private copy of "
                    + "that folder, where '..' leads elsewhere — run netlab grade from the folder that holds it "
                    + "(cd there first), or give its full path")
        }
    }

    /// The command's words with `{host}`, `{port}` and `{dir}` (the private folder) filled in, and every
    /// other word as written: the program runs in its private folder, where the files and folders the
    /// command names by a relative path were copied, so relative names mean the same there.
    func fill(host: String, port: Int) -> [String] {
        command.map { word in
            word.replacingOccurrences(of: "{dir}", with: folder).replacingOccurrences(of: "{host}", with: host)
                .replacingOccurrences(of: "{port}", with: "\(port)")
        }
    }

    /// The program's whole environment: an allow-list, never netlab's own variables.
    func environment(host: String, port: Int) -> [String: String] {
        let ours = ProcessInfo.processInfo.environment
        var environment = [
            "PATH": ours["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "LANG": ours["LANG"] ?? "C.UTF-8",
            "HOME": folder,
            "TMPDIR": privateFolder.temporary,
            "PYTHONDONTWRITEBYTECODE": "1",  // no __pycache__ written next to its files
            "PYTHONUNBUFFERED": "1",
            "NETLAB_HOST": host,
            "NETLAB_PORT": "\(port)",
            "TERM": "dumb",
        ]
        // Its locale and time zone as the grader's: a daytime server's "local time" is the grader's.
        for name in ["LC_ALL", "TZ"] {
            if let value = ours[name] { environment[name] = value }
        }
        return environment
    }

    /// Starts a program: the server under test, or a student's client against `host`; throws a
    /// `CheckFailure` when it cannot be started (a fork bomb has used up its processes, say).
    func spawn(
        host: String = "127.0.0.1", port: Int? = nil, input: String = "", separatesErrors: Bool = false,
        keepsInputOpen: Bool = false
    ) async throws -> ChildProcess {
        let port = port ?? self.port
        var options = ChildProcess.Options()
        options.inheritsEnvironment = false
        options.environment = environment(host: host, port: port)
        options.separatesErrors = separatesErrors
        options.keepsInputOpen = keepsInputOpen
        options.meter = meter
        options.confinement.user = slot?.user
        options.confinement.limits = isolation.limits.resourceLimits(sharesUser: slot == nil)
        if slot != nil, Isolation.canHideFolders {
            options.confinement.hiddenFolders = isolation.hiddenFolders.map {
                URL(fileURLWithPath: $0).standardizedFileURL.path
            }.filter { !folder.hasPrefix($0 + "/") }
        }
        do {
            let process = try await ChildProcess.started(
                arguments: fill(host: host, port: port), options: options, folder: folder, input: Array(input.utf8))
            spawned.withLock { list in
                list.removeAll { !$0.isRunning }
                list.append(process)
            }
            return process
        } catch let error as RuntimeError {
            throw CheckFailure(error.description)
        }
    }

    /// Starts the server under test and waits until it listens; throws a `CheckFailure` saying why not.
    ///
    /// It has started when a socket of its own process tree listens on its port: a listener of another
    /// process (an orphan of an earlier run) does not count. The kernel's table is read at growing
    /// intervals, 5 ms at first and at most `maxProbeInterval`, so waiting for a slow program costs
    /// little CPU.
    func start(within timeout: Duration) async throws {
        await stop()
        process = nil
        let process = try await spawn(keepsInputOpen: keepsInputOpen)
        self.process = process
        let deadline = ContinuousClock.now + timeout
        var probe = ListeningProbe(port: port, transport: transport)
        var interval = Duration.milliseconds(5)
        var foreignListeners: Set<UInt64> = []
        while true {
            listenProbes += 1
            let listening = probe.listeningInodes()
            if !listening.isEmpty {
                if !listening.isDisjoint(with: ProgramTree(of: process).socketInodes) { return }
                foreignListeners = listening
            }
            if !process.isRunning {
                throw CheckFailure(
                    "the program ended (\(process.ending)) without listening on 127.0.0.1:\(port) (\(transport.rawValue))"
                        + Self.lastLines(of: process))
            }
            if ContinuousClock.now >= deadline {
                throw CheckFailure(
                    neverListened(within: timeout, foreignListeners: !foreignListeners.isEmpty, probe: &probe))
            }
            try await Task.sleep(for: min(interval, deadline - ContinuousClock.now))
            interval = min(interval * 3 / 2, Self.maxProbeInterval)
        }
    }

    /// The longest wait between two looks at the kernel's table while a program starts.
    static let maxProbeInterval = Duration.milliseconds(100)

    /// How many times `start` has read the kernel's table, for the tests of its cost.
    private(set) var listenProbes = 0

    /// Why a program that is still running never listened: another process has the port, it bound the
    /// port without calling listen(), or it never got that far.
    private func neverListened(within timeout: Duration, foreignListeners: Bool, probe: inout ListeningProbe)
        -> String
    {
        let address = "127.0.0.1:\(port) (\(transport.rawValue))"
        let limit = SocketError.format(seconds: timeout.seconds)
        let lines = process.map { Self.lastLines(of: $0) } ?? ""
        if foreignListeners {
            return "the program never listened on \(address) within \(limit); another process, not the program, "
                + "listens there (one left running by an earlier run?)" + lines
        }
        // A socket that is bound but does not listen is in no table of /proc/net; a bind of our own finds it.
        // A connection in TIME_WAIT holds the port too, so this is said only when the port has no row at all.
        if transport == .tcp, probe.rows().isEmpty, Socket.isTCPPortTaken(host: "127.0.0.1", port: port) {
            return "the program bound \(address) but never called listen() within \(limit); "
                + "call listen() after bind(), then accept()" + lines
        }
        return "the program never listened on \(address) within \(limit); it must bind the port it is given"
            + lines
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// How the program stands once it has settled after a check.
    enum Settling {
        /// Running and quiet: every thread asleep, no CPU spent for `quietTime`.
        case idle
        /// Ended, and its end seen.
        case ended
        /// Still running and busy: it spent `busyCPU` without coming to rest (a thread spinning), or the
        /// wait ran out.
        case busy
    }

    /// How long a program must stay asleep, spending no CPU, to count as idle.
    static let quietTime = Duration.milliseconds(30)
    /// CPU time a program may spend coming to rest before it counts as busy. Counted in the program's own
    /// CPU time, not the clock's: on a loaded machine a program that is dying (a Python interpreter
    /// printing its traceback) may wait a second for a CPU, yet never spends this much doing it.
    static let busyCPU = 0.5

    /// Waits, at most `limit`, until the program is idle or its end has been seen, or it has spent
    /// `busyCPU` without coming to rest: a program dying of what a check's clients did is seen to die
    /// before the next check starts, not during it.
    func settle(within limit: Duration) async -> Settling {
        guard let process else { return .ended }
        let deadline = ContinuousClock.now + limit
        var quietSince: ContinuousClock.Instant?
        var firstCPU: Double?
        var lastCPU = -1.0
        while true {
            if !process.isRunning { return .ended }
            let tree = ProgramTree(of: process)
            let cpu = tree.cpuSeconds
            let now = ContinuousClock.now
            if tree.isAsleep, cpu == lastCPU {
                let since = quietSince ?? now
                if now - since >= Self.quietTime { return .idle }
                quietSince = since
            } else {
                quietSince = nil
            }
            lastCPU = cpu
            if cpu - (firstCPU ?? cpu) >= Self.busyCPU || now >= deadline || Task.isCancelled {
                return process.isRunning ? .busy : .ended
            }
            if firstCPU == nil, !tree.pids.isEmpty { firstCPU = cpu }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Types `line` and a newline on the server's standard input; false when it cannot take it.
    func type(_ line: String) -> Bool {
        process?.type(Array((line + "\n").utf8)) ?? false
    }

    func stop() async {
        await process?.stop()
    }

    /// Kills every program started for this grade, and everything they started, at once (SIGKILL):
    /// the grade's time is up. Safe from any thread.
    func killEverything() {
        for process in spawned.withLock({ $0 }) { process.killNow() }
    }

    /// Stops the program and everything it started, removes its folder and frees its user.
    func finish() async {
        await stop()
        release()
    }

    /// Removes its folder and frees its user, once nothing of it runs.
    private func release() {
        privateFolder.remove()
        ChildProcess.forgetOnInterrupt(folder: folder)
        slot?.release()
    }

    /// `; its last lines: a | b` for a failure message, or nothing when it printed nothing.
    static func lastLines(of process: ChildProcess) -> String {
        let lines = process.lastLines(4).map { TerminalText.escaped($0) }
        return lines.isEmpty ? "" : "; its last lines: " + lines.joined(separator: " | ")
    }
}

/// Why a program cannot be run that is its own fault, not the grader's: no program at the path the
/// command gives, a program that is not executable, a submission too big to copy. In a batch it is that
/// submission's 0, with this reason.
package struct SubmissionProblem: Error, CustomStringConvertible {
    package let description: String

    init(_ description: String) { self.description = description }

    /// The program (`word`, filled in as `filled`) is missing or not executable.
    init(missingProgram word: String, filled: String, folder: String, isolation: Isolation) {
        // Shown as the student knows it: the submission's folder, not the private copy.
        let shown = isolation.submission.map { word.replacingOccurrences(of: "{dir}", with: $0) } ?? filled
        let path = filled.hasPrefix("/") ? filled : folder + "/" + filled
        if filled.contains("/"), FileManager.default.fileExists(atPath: path) {
            description =
                "the program '\(shown)' is not executable — make it executable (chmod +x) with a #! line, "
                + "or run it with its interpreter, as in 'python3 \(shown)'"
        } else if isolation.submission != nil {
            description = "the submission has no program '\(shown)' — check the file's name, or the command in --cmd"
        } else {
            description = "cannot find the program '\(shown)' — check the command after '--', or give its full path"
        }
    }
}
