import Foundation
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
    func start(within timeout: Duration) async throws {
        await stop()
        process = nil
        let process = try await spawn(keepsInputOpen: keepsInputOpen)
        self.process = process
        let deadline = ContinuousClock.now + timeout
        while !ListeningProbe.isListening(port: port, transport: transport) {
            if !process.isRunning {
                throw CheckFailure(
                    "the program ended (\(process.ending)) without listening on 127.0.0.1:\(port) (\(transport.rawValue))"
                        + Self.lastLines(of: process))
            }
            if ContinuousClock.now >= deadline {
                throw CheckFailure(
                    "the program never listened on 127.0.0.1:\(port) (\(transport.rawValue)) within "
                        + "\(SocketError.format(seconds: timeout.seconds)); it must bind the port it is given"
                        + Self.lastLines(of: process))
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    var isRunning: Bool { process?.isRunning ?? false }

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
        let lines = process.lastLines(4)
        return lines.isEmpty ? "" : "; its last lines: " + lines.joined(separator: " | ")
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Why a program cannot be run that is its own fault, not the grader's: no program at the path the
/// command gives, a program that is not executable, a submission too big to copy. In a batch it is that
/// submission's 0, with this reason.
struct SubmissionProblem: Error, CustomStringConvertible {
    let description: String

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
