import CNetlabLinux
import Foundation
import Glibc
import Synchronization

/// A program under test, run the one way netlab ever runs one: posix_spawn(3) into its own process group.
///
/// The program is untrusted. It gets every signal back at its default (netlab ignores SIGPIPE, and ignored
/// signals survive exec), no descriptor of netlab's (every socket and pipe is close-on-exec), a working
/// folder of its own, and capped output. `stop()` ends its whole process group, and `ChildProcess.stopAll()`
/// does that for every child still running when netlab itself is interrupted.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `pid` is immutable; the output and exit status are guarded by `state`.

    public let pid: pid_t
    public let arguments: [String]
    private let state: Mutex<State>
    /// Left when the program has exited and both its output pipes are drained.
    private let finished = DispatchGroup()
    /// How many of the exit and the two pipes are still awaited.
    private let pendingParts = Mutex(3)
    private let exited = DispatchSemaphore(value: 0)
    /// The write end of its standard input while it stays open (`Options.keepsInputOpen`).
    private let inputFD = Mutex<Int32?>(nil)
    private static let running = Mutex<Set<pid_t>>([])

    private struct State {
        var output: CappedOutput
        var errors: CappedOutput
        var exitStatus: Int32?
        var signal: Int32?
        /// waitpid(2) failed (ECHILD: something else reaped it): it has ended, how is unknown.
        var waitFailed: Int32?
    }

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

        public init() {}
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
        state = Mutex(
            State(
                output: CappedOutput(limit: options.outputLimit, keepsFirstBytes: options.keepsFirstBytes),
                errors: CappedOutput(limit: options.outputLimit, keepsFirstBytes: options.keepsFirstBytes)))
        guard let path = Self.findExecutable(arguments[0], folder: folder, environment: options) else {
            throw RuntimeError(
                "cannot find the program '\(arguments[0])' — check the command after '--', or give its full path")
        }

        var outputPipe: [Int32] = [0, 0]
        var errorPipe: [Int32] = [0, 0]
        var inputPipe: [Int32] = [0, 0]
        // Six pipe ends, briefly: refuse before the last descriptors go, which the runtime needs.
        guard Socket.hasSpareDescriptors(6) else {
            throw RuntimeError(
                "cannot start the program: this process has nearly all of its descriptors open ('ulimit -n') — "
                    + "try again when fewer clients are connected")
        }
        guard cnetlab_pipe_cloexec(&outputPipe) == 0, cnetlab_pipe_cloexec(&inputPipe) == 0,
            cnetlab_pipe_cloexec(&errorPipe) == 0
        else {
            throw RuntimeError("cannot create a pipe for the program (\(Errno.name(errno))) — too many open files?")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, options.separatesErrors ? errorPipe[1] : outputPipe[1], 2)
        _ = cnetlab_spawn_add_closefrom(&actions, 3)
        _ = cnetlab_spawn_add_chdir(&actions, folder)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var env = options.inheritsEnvironment ? ProcessInfo.processInfo.environment : [:]
        env["PYTHONUNBUFFERED"] = "1"  // a Python print shows up at once, not when the buffer fills
        for (key, value) in options.environment { env[key] = value }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }

        var child: pid_t = 0
        let status = Self.running.withLock { running -> Int32 in
            let status = posix_spawn(&child, path, &actions, &attributes, argv, envp)
            if status == 0 {
                running.insert(child)
                cnetlab_track_child(child)
            }
            return status
        }
        close(outputPipe[1])
        close(errorPipe[1])
        close(inputPipe[0])
        guard status == 0 else {
            close(outputPipe[0])
            close(errorPipe[0])
            close(inputPipe[1])
            throw RuntimeError("cannot start '\(arguments[0])' (\(Errno.name(status))) — is it a program you may run?")
        }
        pid = child
        if options.keepsInputOpen, !input.isEmpty { _ = type(input) }

        if options.keepsInputOpen {
            // Non-blocking, so typing to a program that never reads its input cannot hang the grader.
            _ = fcntl(inputPipe[1], F_SETFL, fcntl(inputPipe[1], F_GETFL) | O_NONBLOCK)
            inputFD.withLock { $0 = inputPipe[1] }
        } else {
            let inputFD = inputPipe[1]
            let feeder = Thread { [input] in
                Self.writeAll(input, to: inputFD)
                close(inputFD)
            }
            feeder.start()
        }
        drain(outputPipe[0], isErrors: false)
        drain(errorPipe[0], isErrors: true)
        finished.enter()
        let waiter = Thread { [self] in
            var status: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
            let waitError = reaped < 0 ? errno : 0
            Self.running.withLock { _ = $0.remove(pid) }
            cnetlab_untrack_child(pid)
            state.withLock { state in
                if waitError != 0 {
                    state.waitFailed = waitError  // never a made-up exit status 0
                } else if status & 0x7f == 0 {
                    state.exitStatus = (status >> 8) & 0xff
                } else {
                    state.signal = status & 0x7f
                }
            }
            exited.signal()
            pendingParts.withLock { $0 -= 1 }
            finished.leave()
        }
        waiter.start()
    }

    /// Reads a pipe on a thread of its own until the program closes it.
    private func drain(_ fd: Int32, isErrors: Bool) {
        finished.enter()
        let reader = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                let bytes = Array(chunk[..<count])
                state.withLock { isErrors ? $0.errors.append(bytes) : $0.output.append(bytes) }
            }
            close(fd)
            pendingParts.withLock { $0 -= 1 }
            finished.leave()
        }
        reader.start()
    }

    /// Whether the program is still running.
    public var isRunning: Bool {
        state.withLock { $0.exitStatus == nil && $0.signal == nil && $0.waitFailed == nil }
    }

    /// Its exit status, once it has exited normally.
    public var exitStatus: Int32? { state.withLock { $0.exitStatus } }

    /// How it ended, in words: `exit status 1`, `killed by SIGSEGV`, or `still running`.
    public var ending: String {
        state.withLock { state in
            if let status = state.exitStatus { return "exit status \(status)" }
            if let signal = state.signal { return "killed by \(Self.signalName(signal))" }
            if let code = state.waitFailed { return "ended, its exit status unknown (waitpid: \(Errno.name(code)))" }
            return "still running"
        }
    }

    /// Everything it printed on stdout (and stderr, unless kept apart) so far, within the limit.
    public var output: String { state.withLock { String(decoding: $0.output.bytes, as: UTF8.self) } }

    /// Its stdout bytes, and whether some were dropped at the limit.
    public var outputBytes: (bytes: [UInt8], isTruncated: Bool) {
        state.withLock { ($0.output.bytes, $0.output.dropped > 0) }
    }

    /// The count and checksum of everything it printed on stdout, however much was kept.
    public var outputDigest: OutputDigest { state.withLock { $0.output.digest } }

    /// Its stderr bytes when kept apart, and whether some were dropped at the limit.
    public var errorBytes: (bytes: [UInt8], isTruncated: Bool) {
        state.withLock { ($0.errors.bytes, $0.errors.dropped > 0) }
    }

    /// Whether the program has exited and everything it printed has been read.
    public var isFinished: Bool { pendingParts.withLock { $0 == 0 } }

    /// Calls `body` once the program has exited and everything it printed has been read (at once if so).
    public func whenFinished(_ body: @escaping @Sendable () -> Void) {
        finished.notify(queue: .global(), execute: body)
    }

    /// Waits until the program has exited and everything it printed has been read, at most `timeout`.
    public func waitUntilFinished(timeout: Duration) -> Bool {
        let milliseconds = Int(
            timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        return finished.wait(timeout: .now() + .milliseconds(milliseconds)) == .success
    }

    /// Its last `count` lines of output (standard output, then standard error), escaped for a failure message.
    public func lastLines(_ count: Int = 5) -> [String] {
        let errors = String(decoding: errorBytes.bytes, as: UTF8.self)
        let lines = (output + "\n" + errors).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).map { TerminalText.escaped($0.trimmingLineEnd()) }
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

    /// Ends the program's whole process group: SIGTERM, a short grace, then SIGKILL.
    public func stop() {
        closeInput()
        guard isRunning else {
            kill(-pid, SIGKILL)  // anything it left behind in its group
            return
        }
        kill(-pid, SIGTERM)
        if exited.wait(timeout: .now() + .milliseconds(300)) == .timedOut {
            kill(-pid, SIGKILL)
            exited.wait()
        } else {
            exited.signal()
        }
        // Children it started in its group may outlive it: end them too.
        kill(-pid, SIGKILL)
    }

    /// Kills the program's whole process group at once (SIGKILL), without waiting: for a runaway command.
    /// Its group is killed even when the program itself has exited: children it started in the background
    /// may still be running and holding its output.
    public func killNow() {
        kill(-pid, SIGKILL)
    }

    deinit { stop() }

    /// Kills every program netlab started that still runs.
    public static func stopAll() {
        cnetlab_kill_tracked_children()
    }

    /// From now on, Ctrl-C (SIGINT), SIGTERM or SIGHUP of netlab first kills every program it started
    /// and removes the folders given to `removeOnInterrupt`.
    public static func stopAllOnInterrupt() {
        cnetlab_install_interrupt_handler()
    }

    /// Has an interrupt of netlab remove `folder` (a program's temporary folder) and what it holds.
    static func removeOnInterrupt(folder: String) {
        cnetlab_track_folder(folder)
    }

    /// Undoes `removeOnInterrupt`, once netlab has removed the folder itself.
    static func forgetOnInterrupt(folder: String) {
        cnetlab_untrack_folder(folder)
    }

    private static func findExecutable(_ name: String, folder: String, environment options: Options) -> String? {
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : folder + "/" + name
            return access(path, X_OK) == 0 ? path : (access(name, X_OK) == 0 ? name : nil)
        }
        let searchPath =
            options.environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let paths = searchPath.split(separator: ":")
        return paths.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return  // the program closed its input: it has what it wanted
            }
            offset += written
        }
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
        default: "signal \(signal)"
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
