import CNetlabLinux
import Foundation
import Glibc
import NetlabSockets
import Synchronization

/// A program under test, run the one way netlab ever runs one: under a supervisor of its own.
///
/// The program is untrusted. A supervisor process (C, `cnetlab_spawn_supervised`, forked from netlab)
/// starts it and stays its parent: a child subreaper, so every process the program starts, however it
/// detaches (setsid, double fork), remains the supervisor's descendant. When netlab lets go of the
/// supervisor's lifeline (`stop()`, `killNow()`, deinit, or netlab's own end, `kill -9` included), the
/// supervisor kills every descendant, reaps them and exits: no process outlives its program's run.
/// Finding every descendant this way works without root and without cgroups, and ends only this
/// program's processes when several run at once.
///
/// The program runs in a session of its own (no controlling terminal: /dev/tty cannot be opened, so it
/// cannot draw on the grader's screen), with every signal at its default, no descriptor of netlab's,
/// no new privileges, a working folder of its own, capped output, and the `Confinement` it is given.
/// Its pipes are read by one shared thread (`PipeWatcher`), so a program costs netlab no thread.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `pid`, `supervisor` and `core` are immutable; `core` guards what changes, and
    // `inputFD` the one descriptor netlab writes to.

    /// The program's PID, which is also its process group's and its session's.
    public let pid: pid_t
    /// Its supervisor's PID: the program's parent.
    let supervisor: pid_t
    public let arguments: [String]
    private let core: Core
    /// Left when the program has exited and both its output pipes are drained.
    private let finished: DispatchGroup
    /// The write end of its standard input while it stays open (`Options.keepsInputOpen`).
    private let inputFD = Mutex<Int32?>(nil)

    /// What a program printed, never more than `limit` bytes: its last bytes (for a grader's failure
    /// message) or its first (for a remote command's reply, which then says it was cut).
    struct CappedOutput {
        let limit: Int
        let keepsFirstBytes: Bool
        var bytes: [UInt8] = []
        var dropped = 0
        /// Every byte ever printed, counted and summed (FNV-1a), so a grader can check megabytes exactly.
        var digest = OutputDigest()

        mutating func append(_ chunk: [UInt8]) {
            digest.add(chunk)
            if keepsFirstBytes {
                let room = max(0, limit - bytes.count)
                bytes += chunk.prefix(room)
                dropped += max(0, chunk.count - room)
            } else {
                bytes += chunk
                if bytes.count > limit {
                    let excess = bytes.count - limit
                    bytes.removeFirst(excess)
                    dropped += excess
                }
            }
        }
    }

    /// How a program is run, beyond its arguments and folder.
    public struct Options: Sendable {
        /// Variables added to its environment.
        public var environment: [String: String] = [:]
        /// Whether it starts from netlab's own environment (otherwise from `environment` alone).
        public var inheritsEnvironment = true
        /// Whether stderr is kept apart from stdout (otherwise both go to `output`).
        public var separatesErrors = false
        /// The most bytes kept of each output.
        public var outputLimit = 64 * 1024
        /// Whether the first bytes are kept (otherwise the last).
        public var keepsFirstBytes = false
        /// Whether its standard input stays open after `input`, for lines typed with `type(_:)`, until
        /// `closeInput()` or `stop()` (otherwise it is closed once `input` is written).
        public var keepsInputOpen = false
        /// Its user, limits and hidden folders; by default netlab's user, no limits, netlab's view.
        public var confinement = Confinement()
        /// Where the CPU time and peak memory of the program and everything it started are added once
        /// it has ended and its supervisor has been reaped; nil: not measured.
        public var meter: ResourceMeter?

        public init() {}
    }

    /// What the program may do beyond what every program may: set by the grader for an untrusted one.
    public struct Confinement: Sendable {
        /// The user and group it runs as (netlab must be root); nil: netlab's own.
        public var user: User?
        /// Limits set with setrlimit(2) in the program alone, never in netlab.
        public var limits: [Limit] = []
        /// Folders covered by an empty read-only tmpfs in a mount namespace of the program's own
        /// (netlab must be root).
        public var hiddenFolders: [String] = []

        public init() {}
    }

    /// A user id and group id.
    public struct User: Sendable, Equatable {
        public let uid: uid_t
        public let gid: gid_t

        public init(uid: uid_t, gid: gid_t) {
            self.uid = uid
            self.gid = gid
        }
    }

    /// One setrlimit(2) limit: `resource` is an RLIMIT_* number.
    public struct Limit: Sendable {
        public let resource: Int32
        public let soft: UInt64
        public let hard: UInt64

        public init(resource: Int32, soft: UInt64, hard: UInt64) {
            self.resource = resource
            self.soft = soft
            self.hard = hard
        }
    }

    /// Starts `arguments[0]` (looked up on PATH) with the rest as its arguments.
    ///
    /// - Parameters:
    ///   - environment: added to netlab's own environment.
    ///   - folder: the program's working folder.
    ///   - input: bytes for its standard input, which is then closed.
    public convenience init(
        arguments: [String], environment: [String: String] = [:], folder: String, input: [UInt8] = []
    ) throws {
        var options = Options()
        options.environment = environment
        try self.init(arguments: arguments, options: options, folder: folder, input: input)
    }

    /// Starts a program with explicit `options`.
    public init(arguments: [String], options: Options, folder: String, input: [UInt8] = []) throws {
        precondition(!arguments.isEmpty, "a program needs a name")
        self.arguments = arguments
        var env = options.inheritsEnvironment ? ProcessInfo.processInfo.environment : [:]
        env["PYTHONUNBUFFERED"] = "1"  // a Python print shows up at once, not when the buffer fills
        for (key, value) in options.environment { env[key] = value }
        let searchPath =
            env["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let path = Self.executablePath(arguments[0], folder: folder, searchPath: searchPath) else {
            throw RuntimeError(
                "cannot find the program '\(arguments[0])' — check the command after '--', or give its full path")
        }
        // Eleven descriptors, briefly: refuse before the last ones go, which the runtime needs.
        guard Socket.hasSpareDescriptors(11) else {
            throw RuntimeError(
                "cannot start the program: this process has nearly all of its descriptors open ('ulimit -n') — "
                    + "try again when fewer clients are connected")
        }
        try PipeWatcher.shared.start()

        // Standard input, output and error, the lifeline and the reports; netlab keeps one end of each.
        var pipes: [[Int32]] = []
        for _ in 0..<5 {
            var ends: [Int32] = [-1, -1]
            guard cnetlab_pipe_cloexec(&ends) == 0 else {
                let code = errno
                pipes.joined().forEach { close($0) }
                throw RuntimeError("cannot create a pipe for the program (\(Errno.name(code))) — too many open files?")
            }
            pipes.append(ends)
        }
        let (stdin, stdout, stderr, lifeline, reports) = (pipes[0], pipes[1], pipes[2], pipes[3], pipes[4])

        let supervisor = Self.spawn(
            path: path, arguments: arguments, environment: env, searchPath: searchPath, folder: folder,
            descriptors: (
                stdin[0], stdout[1], options.separatesErrors ? stderr[1] : stdout[1], lifeline[0], reports[1]
            ),
            confinement: options.confinement)
        for fd in [stdin[0], stdout[1], stderr[1], lifeline[0], reports[1]] { close(fd) }
        guard supervisor > 0 else {
            for fd in [stdin[1], stdout[0], stderr[0], lifeline[1], reports[0]] { close(fd) }
            throw RuntimeError(
                "cannot start the program: no process could be created (\(Errno.name(-supervisor))) — your user "
                    + "runs as many processes as it may ('ulimit -u'); end some, or grade as root")
        }
        cnetlab_track_child(supervisor)
        self.supervisor = supervisor

        let first = Self.readFirstReport(reports[0], within: 15_000)
        guard let first, first.kind == Int32(CNETLAB_REPORT_STARTED) else {
            // The supervisor sweeps and exits once its lifeline closes.
            close(lifeline[1])
            Self.reap(supervisor)
            for fd in [stdin[1], stdout[0], stderr[0], reports[0]] { close(fd) }
            throw Self.startError(first, program: arguments[0], confinement: options.confinement)
        }
        pid = first.value
        cnetlab_track_program(supervisor, pid)
        core = Core(
            pid: pid, supervisor: supervisor, options: options, lifeline: lifeline[1], output: stdout[0],
            errors: stderr[0], reports: reports[0])
        finished = core.finished
        core.startWatching()

        // Non-blocking, so a program that never reads its input cannot hang the grader.
        _ = fcntl(stdin[1], F_SETFL, fcntl(stdin[1], F_GETFL) | O_NONBLOCK)
        if options.keepsInputOpen {
            inputFD.withLock { $0 = stdin[1] }
            if !input.isEmpty { _ = type(input) }
        } else {
            Self.feed(input, to: stdin[1])
        }
    }

    /// Forks the supervisor with the C view of the configuration; its PID, or -errno.
    private static func spawn(
        path: String, arguments: [String], environment: [String: String], searchPath: String, folder: String,
        descriptors: (input: Int32, output: Int32, errors: Int32, lifeline: Int32, reports: Int32),
        confinement: Confinement
    ) -> Int32 {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        let hidden = confinement.hiddenFolders.map { UnsafePointer(strdup($0)) } + [nil]
        let strings = [
            strdup(path), arguments[0].contains("/") ? nil : strdup(arguments[0]), strdup(searchPath), strdup(folder),
        ]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
            hidden.forEach { free(UnsafeMutablePointer(mutating: $0)) }
            strings.forEach { free($0) }
        }
        let limits = confinement.limits.map {
            cnetlab_limit(resource: $0.resource, soft: $0.soft, hard: $0.hard)
        }
        return argv.withUnsafeBufferPointer { argv in
            envp.withUnsafeBufferPointer { envp in
                hidden.withUnsafeBufferPointer { hidden in
                    limits.withUnsafeBufferPointer { limits in
                        var config = cnetlab_spawn_config(
                            path: strings[0], name: strings[1], search_path: strings[2], argv: argv.baseAddress,
                            envp: envp.baseAddress, folder: strings[3], stdin_fd: descriptors.input,
                            stdout_fd: descriptors.output, stderr_fd: descriptors.errors,
                            control_fd: descriptors.lifeline, report_fd: descriptors.reports,
                            uid: confinement.user.map { Int32(bitPattern: $0.uid) } ?? -1,
                            gid: confinement.user.map { Int32(bitPattern: $0.gid) } ?? -1,
                            hidden: confinement.hiddenFolders.isEmpty ? nil : hidden.baseAddress,
                            limits: limits.baseAddress, limit_count: Int32(limits.count))
                        return cnetlab_spawn_supervised(&config)
                    }
                }
            }
        }
    }

    /// The supervisor's first report (started, or why not), waited for at most `milliseconds`.
    private static func readFirstReport(_ fd: Int32, within milliseconds: Int32) -> cnetlab_report? {
        var ready = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        let deadline = ContinuousClock.now + .milliseconds(milliseconds)
        while true {
            let left = Int32(max(0, (deadline - ContinuousClock.now).seconds * 1000))
            let count = Syscalls.pollDescriptors(&ready, timeoutMilliseconds: left)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            var record = cnetlab_report()
            let got = withUnsafeMutableBytes(of: &record) { read(fd, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            return got == MemoryLayout<cnetlab_report>.size ? record : nil
        }
    }

    /// Reaps a supervisor that is ending: it gets 2 s for its sweep, then SIGKILL.
    private static func reap(_ supervisor: pid_t) {
        let deadline = ContinuousClock.now + .seconds(2)
        var status: Int32 = 0
        while waitpid(supervisor, &status, WNOHANG) == 0 {
            if ContinuousClock.now >= deadline {
                kill(supervisor, SIGKILL)
                _ = waitpid(supervisor, &status, 0)
                break
            }
            usleep(1000)
        }
        cnetlab_untrack_child(supervisor)
    }

    /// Why the program did not start, in one sentence.
    private static func startError(_ report: cnetlab_report?, program: String, confinement: Confinement)
        -> RuntimeError
    {
        guard let report, report.kind == Int32(CNETLAB_REPORT_FAILED) else {
            return RuntimeError("cannot start '\(program)': it did not start within 15 s — is the machine overloaded?")
        }
        let code = Errno.name(report.value)
        let user = confinement.user.map { "user \($0.uid)" } ?? "your user"
        switch report.detail {
        case Int32(CNETLAB_STEP_FORK):
            return RuntimeError(
                "cannot start the program: no process could be created (\(code)) — your user runs as many "
                    + "processes as it may ('ulimit -u'); end some, or grade as root")
        case Int32(CNETLAB_STEP_MOUNTS):
            return RuntimeError(
                "cannot hide the exercises and the other submissions from the program (mount: \(code)) — "
                    + "netlab needs root with CAP_SYS_ADMIN for that")
        case Int32(CNETLAB_STEP_LIMITS):
            return RuntimeError(
                "cannot set the program's resource limits (setrlimit: \(code)) — lower the --max-* options")
        case Int32(CNETLAB_STEP_USER):
            return RuntimeError("cannot run the program as \(user) (\(code)) — netlab needs root to switch users")
        case Int32(CNETLAB_STEP_FOLDER):
            return RuntimeError(
                "cannot enter the program's folder as \(user) (\(code)) — is /tmp mounted noexec or full?")
        default:
            let hint =
                confinement.user == nil
                ? "is it a program you may run?"
                : "it runs as \(user): are it and its folders readable and executable by every user?"
            return RuntimeError("cannot start '\(program)' (\(code)) — \(hint)")
        }
    }

    /// Writes `input` to the program's standard input without blocking, the rest when it reads, then closes it.
    private static func feed(_ input: [UInt8], to fd: Int32) {
        guard let written = writeSome(input, from: 0, to: fd), written < input.count else {
            close(fd)
            return
        }
        let position = Mutex(written)
        PipeWatcher.shared.watch(fd, events: Int16(POLLOUT)) { _ in
            position.withLock { position in
                guard let now = writeSome(input, from: position, to: fd), now < input.count else { return false }
                position = now
                return true
            }
        }
    }

    /// Writes from `offset` until the pipe is full; the new offset, or nil when the program closed its input.
    private static func writeSome(_ bytes: [UInt8], from offset: Int, to fd: Int32) -> Int? {
        var offset = offset
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written >= 0 {
                offset += written
            } else if errno == EAGAIN {
                break
            } else if errno != EINTR {
                return nil  // EPIPE: it has what it wanted
            }
        }
        return offset
    }

    /// Whether the program is still running.
    public var isRunning: Bool { core.state.withLock { !$0.hasEnded } }

    /// Its exit status, once it has exited normally.
    public var exitStatus: Int32? { core.state.withLock { $0.exitStatus } }

    /// How it ended, in words: `exit status 1`, `killed by SIGSEGV`, or `still running`.
    public var ending: String {
        core.state.withLock { state in
            if let status = state.exitStatus { return "exit status \(status)" }
            if let signal = state.signal { return "killed by \(Self.signalName(signal))" }
            if state.hasEnded { return "ended, its exit status unknown (its supervisor was killed)" }
            return "still running"
        }
    }

    /// Everything it printed on stdout (and stderr, unless kept apart) so far, within the limit.
    public var output: String { core.state.withLock { String(decoding: $0.output.bytes, as: UTF8.self) } }

    /// Its stdout bytes, and whether some were dropped at the limit.
    public var outputBytes: (bytes: [UInt8], isTruncated: Bool) {
        core.state.withLock { ($0.output.bytes, $0.output.dropped > 0) }
    }

    /// The count and checksum of everything it printed on stdout, however much was kept.
    public var outputDigest: OutputDigest { core.state.withLock { $0.output.digest } }

    /// Its stderr bytes when kept apart, and whether some were dropped at the limit.
    public var errorBytes: (bytes: [UInt8], isTruncated: Bool) {
        core.state.withLock { ($0.errors.bytes, $0.errors.dropped > 0) }
    }

    /// Whether the program has exited and everything it printed has been read.
    public var isFinished: Bool { core.state.withLock { $0.pendingParts == 0 } }

    /// Calls `body` once the program has exited and everything it printed has been read (at once if so).
    public func whenFinished(_ body: @escaping @Sendable () -> Void) {
        finished.notify(queue: .global(), execute: body)
    }

    /// Waits until the program has exited and everything it printed has been read, at most `timeout`.
    public func waitUntilFinished(timeout: Duration) -> Bool {
        finished.wait(timeout: .now() + .milliseconds(Int(timeout.seconds * 1000))) == .success
    }

    /// Its last `count` lines of output (standard output, then standard error), without their line ends.
    public func lastLines(_ count: Int = 5) -> [String] {
        let errors = String(decoding: errorBytes.bytes, as: UTF8.self)
        let lines = (output + "\n" + errors).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).map { $0.trimmingLineEnd() }
    }

    /// Waits for the program to exit, at most `timeout`; true when it did.
    public func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Writes `bytes` to its standard input, as if typed; false when it cannot take them: its input is
    /// closed, it has ended, or it has left a pipe's worth of typed bytes unread for a second.
    /// Only with `Options.keepsInputOpen`.
    public func type(_ bytes: [UInt8]) -> Bool {
        inputFD.withLock { fd in
            guard let fd else { return false }
            var offset = 0
            var waits = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if written >= 0 {
                    offset += written
                } else if errno == EAGAIN, waits < 100 {
                    waits += 1
                    usleep(10_000)  // the pipe is full: give the program a moment to read
                } else if errno != EINTR {
                    return false  // EPIPE (netlab ignores SIGPIPE): it has closed its input or ended
                }
            }
            return true
        }
    }

    /// Closes its standard input, so it reads end of input (Ctrl-D on a terminal).
    public func closeInput() {
        inputFD.withLock { fd in
            if let open = fd { close(open) }
            fd = nil
        }
    }

    /// Ends the program and everything it started: SIGTERM to its process group, a short grace, then
    /// its supervisor kills every descendant, however detached; returns once that is done (at most
    /// about 6 s, however the program behaves).
    public func stop() {
        closeInput()
        if isRunning {
            signalGroup(SIGTERM)
            _ = core.exited.wait(timeout: .now() + .milliseconds(300))
        }
        core.releaseLifeline()
        // The supervisor's sweep gives up after 5 s; its end is then only a moment away.
        _ = core.supervisorGone.wait(timeout: .now() + .seconds(6))
    }

    /// Starts a program from async code: starting waits for the supervisor's first report (a fork and an
    /// exec, slow on a loaded machine), on a Dispatch thread rather than one of Swift concurrency's few.
    public static func started(
        arguments: [String], options: Options, folder: String, input: [UInt8] = []
    ) async throws -> ChildProcess {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<ChildProcess, any Error>) in
            DispatchQueue.global().async {
                done.resume(
                    with: Result {
                        try ChildProcess(arguments: arguments, options: options, folder: folder, input: input)
                    })
            }
        }
    }

    /// `stop()` for async code: its waits (up to about 6 s) happen on a Dispatch thread, so they never hold
    /// one of Swift concurrency's few threads, which every other task of the process needs.
    public func stop() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.stop()
                done.resume()
            }
        }
    }

    /// Kills the program and everything it started at once (SIGKILL), without waiting: for a runaway
    /// command. Children it started in the background may still be running and holding its output.
    public func killNow() {
        signalGroup(SIGKILL)
        core.releaseLifeline()
    }

    /// Signals its process group while it runs; once it has been reaped its PID may be another's.
    private func signalGroup(_ signal: Int32) {
        if isRunning { kill(-pid, signal) }
    }

    deinit {
        closeInput()
        core.releaseLifeline()  // the supervisor ends whatever is left, without netlab waiting for it
    }

    /// Kills every program netlab started that still runs, and everything they started.
    public static func stopAll() {
        cnetlab_kill_tracked_children()
    }

    /// From now on, Ctrl-C (SIGINT), SIGTERM or SIGHUP of netlab first kills every program it started
    /// and removes the folders given to `removeOnInterrupt`.
    public static func stopAllOnInterrupt() {
        cnetlab_install_interrupt_handler()
    }

    /// Has an interrupt of netlab remove `folder` (a program's temporary folder) and what it holds.
    package static func removeOnInterrupt(folder: String) {
        cnetlab_track_folder(folder)
    }

    /// Undoes `removeOnInterrupt`, once netlab has removed the folder itself.
    package static func forgetOnInterrupt(folder: String) {
        cnetlab_untrack_folder(folder)
    }

    /// The program's file: `name` if it has a '/' (from `folder` when relative), else the first on `searchPath`.
    package static func executablePath(_ name: String, folder: String, searchPath: String) -> String? {
        if name.contains("/") {
            if name.hasPrefix("/") { return access(name, X_OK) == 0 ? name : nil }
            if access(folder + "/" + name, X_OK) == 0 { return folder + "/" + name }
            // Relative to where netlab runs: absolute, since the program starts in `folder`.
            let here = FileManager.default.currentDirectoryPath + "/" + name
            return access(here, X_OK) == 0 ? here : nil
        }
        return searchPath.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGPIPE: "SIGPIPE"
        case SIGINT: "SIGINT"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGXCPU: "SIGXCPU (its CPU time limit)"
        case SIGXFSZ: "SIGXFSZ (its file size limit)"
        default: "signal \(signal)"
        }
    }
}

/// What a running program's pipes feed: its output, its end, and its supervisor's end. The pipe
/// watcher's handlers hold this, never the `ChildProcess`, so dropping the process ends the program.
private final class Core: @unchecked Sendable {
    // @unchecked Sendable: owns the pipes' read ends (closed by the pipe watcher's thread alone) and the
    // lifeline's write end; everything that changes is guarded by `state`; Dispatch groups are thread-safe.

    struct State {
        var output: ChildProcess.CappedOutput
        var errors: ChildProcess.CappedOutput
        var exitStatus: Int32?
        var signal: Int32?
        var hasEnded = false
        /// How many of the exit and the two output pipes are still awaited.
        var pendingParts = 3
        /// The write end of the supervisor's lifeline, until released.
        var lifeline: Int32?
        /// The read ends still open: output, errors, reports and the supervisor's pidfd.
        var open: Set<Int32> = []
        var reportBytes: [UInt8] = []
    }

    let pid: pid_t
    let supervisor: pid_t
    let meter: ResourceMeter?
    let state: Mutex<State>
    /// Left when the program has exited and both output pipes are drained.
    let finished = DispatchGroup()
    /// Left when the program's end is known.
    let exited = DispatchGroup()
    /// Left when the supervisor has swept and been reaped.
    let supervisorGone = DispatchGroup()
    private let outputFD: Int32
    private let errorFD: Int32
    private let reportFD: Int32

    init(
        pid: pid_t, supervisor: pid_t, options: ChildProcess.Options, lifeline: Int32, output: Int32,
        errors: Int32, reports: Int32
    ) {
        self.pid = pid
        self.supervisor = supervisor
        meter = options.meter
        outputFD = output
        errorFD = errors
        reportFD = reports
        state = Mutex(
            State(
                output: .init(limit: options.outputLimit, keepsFirstBytes: options.keepsFirstBytes),
                errors: .init(limit: options.outputLimit, keepsFirstBytes: options.keepsFirstBytes),
                lifeline: lifeline, open: [output, errors, reports]))
        for _ in 0..<3 { finished.enter() }
        exited.enter()
        supervisorGone.enter()
    }

    /// Hands the read ends to the pipe watcher.
    func startWatching() {
        let watcher = PipeWatcher.shared
        for fd in [outputFD, errorFD, reportFD] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        watcher.watch(outputFD, events: Int16(POLLIN)) { [self] _ in readOutput(outputFD) }
        watcher.watch(errorFD, events: Int16(POLLIN)) { [self] _ in readOutput(errorFD) }
        let pidFD = cnetlab_pidfd_open(supervisor)
        if pidFD >= 0 {
            state.withLock { _ = $0.open.insert(pidFD) }
            watcher.watch(pidFD, events: Int16(POLLIN)) { [self] _ in
                // A call may be spurious: only a supervisor that has really exited is ended here.
                var exited = [pollfd(fd: pidFD, events: Int16(POLLIN), revents: 0)]
                guard Syscalls.pollDescriptors(&exited, timeoutMilliseconds: 0) > 0 else { return true }
                supervisorEnded(pidFD: pidFD)
                return false
            }
        }
        watcher.watch(reportFD, events: Int16(POLLIN)) { [self] _ in
            if readReports() { return true }
            if pidFD < 0 { supervisorEnded(pidFD: nil) }  // no pidfd (Linux before 5.3): its reports' end
            return false
        }
    }

    /// Closes the lifeline: the supervisor kills every descendant of the program and exits.
    func releaseLifeline() {
        state.withLock { state in
            if let fd = state.lifeline { close(fd) }
            state.lifeline = nil
        }
    }

    /// Reads what the program printed; false at the pipe's end, which the caller then closes.
    private func readOutput(_ fd: Int32) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                let bytes = Array(chunk[..<count])
                state.withLock { fd == errorFD ? $0.errors.append(bytes) : $0.output.append(bytes) }
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == EAGAIN { return true }
            retire(fd)
            return false
        }
    }

    /// Reads the supervisor's reports; false at their end, which the caller then closes.
    private func readReports() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 240)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(reportFD, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == EAGAIN { return true }
            if count <= 0 {
                state.withLock { _ = $0.open.remove(reportFD) }
                return false
            }
            let size = MemoryLayout<cnetlab_report>.size
            let records: [cnetlab_report] = state.withLock { state in
                state.reportBytes += chunk[..<count]
                var records: [cnetlab_report] = []
                while state.reportBytes.count >= size {
                    var record = cnetlab_report()
                    withUnsafeMutableBytes(of: &record) { $0.copyBytes(from: state.reportBytes.prefix(size)) }
                    state.reportBytes.removeFirst(size)
                    records.append(record)
                }
                return records
            }
            for record in records where record.kind == Int32(CNETLAB_REPORT_EXITED) {
                ended(status: record.value)
            }
        }
    }

    /// Records the program's end (nil: unknown), once.
    private func ended(status: Int32?) {
        let isFirst = state.withLock { state -> Bool in
            guard !state.hasEnded else { return false }
            state.hasEnded = true
            if let status {
                if status & 0x7f == 0 { state.exitStatus = (status >> 8) & 0xff } else { state.signal = status & 0x7f }
            }
            state.pendingParts -= 1
            return true
        }
        if isFirst {
            exited.leave()
            finished.leave()
        }
    }

    /// Marks an output pipe as closed, once.
    private func retire(_ fd: Int32) {
        let wasOpen = state.withLock { state -> Bool in
            guard state.open.remove(fd) != nil else { return false }
            if fd != reportFD { state.pendingParts -= 1 }
            return true
        }
        if wasOpen && fd != reportFD { finished.leave() }
    }

    /// The supervisor has exited (its sweep done): reaps it and closes what is left.
    private func supervisorEnded(pidFD: Int32?) {
        var status: Int32 = 0
        var usage = rusage()
        // wait4's usage counts the supervisor and every process it reaped: as a subreaper, that is the
        // program and everything the program started, however it detached.
        while wait4(supervisor, &status, pidFD == nil ? 0 : WNOHANG, &usage) < 0 && errno == EINTR {}
        meter?.add(usage)
        cnetlab_untrack_child(supervisor)
        if let pidFD { state.withLock { _ = $0.open.remove(pidFD) } }
        let watcher = PipeWatcher.shared
        if state.withLock({ $0.open.contains(reportFD) }) {
            _ = readReports()  // its last records: the program's exit comes before the supervisor's
            state.withLock { _ = $0.open.remove(reportFD) }
            watcher.finish(reportFD)
        }
        if state.withLock({ !$0.hasEnded }) {
            // Killed before it could report: the program may still run, in its group at least.
            kill(-pid, SIGKILL)
            ended(status: nil)
        }
        // Every descendant is gone: what the pipes hold is all there is. A process outside the tree
        // that was handed a pipe cannot keep the program from finishing.
        for fd in [outputFD, errorFD] where state.withLock({ $0.open.contains(fd) }) {
            if readOutput(fd) { retire(fd) }
            watcher.finish(fd)
        }
        releaseLifeline()
        supervisorGone.leave()
    }
}

/// The CPU time and peak memory of the programs it is given to (`ChildProcess.Options.meter`), added
/// up as each ends: a graded program's cost over all its runs, restarts and clients included.
public final class ResourceMeter: Sendable {
    /// What was measured: CPU seconds (user and system) in all, and the largest resident memory any
    /// one process reached.
    public struct Usage: Sendable, Equatable {
        public var cpuSeconds = 0.0
        public var peakMemoryBytes = 0
    }

    private let total = Mutex(Usage())

    public init() {}

    public var usage: Usage { total.withLock { $0 } }

    func add(_ usage: rusage) {
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        total.withLock { total in
            total.cpuSeconds += seconds(usage.ru_utime) + seconds(usage.ru_stime)
            // ru_maxrss is in kilobytes (getrusage(2)).
            total.peakMemoryBytes = max(total.peakMemoryBytes, usage.ru_maxrss * 1024)
        }
    }
}

/// A running count and FNV-1a checksum of bytes: equal digests mean equal bytes, for all practical purposes.
public struct OutputDigest: Sendable, Equatable {
    public private(set) var count = 0
    public private(set) var checksum: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public init(_ bytes: [UInt8]) { add(bytes) }

    public mutating func add(_ bytes: [UInt8]) {
        count += bytes.count
        for byte in bytes {
            checksum = (checksum ^ UInt64(byte)) &* 0x100_0000_01b3
        }
    }
}
