import NetlabProcesses
import NetlabSockets
import Synchronization

/// Seed 004's remote command server, made safe to run in a classroom.
///
/// Read it with lessons/07-sticky-packets.md and lessons/08-command-servers.md: socket, bind, listen, accept;
/// then for each command line received, check it against the policy, run it, and send one frame
/// back: a 4-byte big-endian header length, the JSON header, then stdout and stderr.
public final class RexecServer: StreamServer {
    public let policy: CommandPolicy
    public let timeout: Duration
    public let maxOutput: Int
    /// The most commands running at once; a request beyond it is refused at once.
    public let maxCommands: Int
    public let console: Console
    public let listener: Socket
    private let running = Mutex(0)

    /// The longest command line accepted.
    public static let maxLineBytes = 64 * 1024

    public init(
        host: String, port: Int, policy: CommandPolicy, timeout: Duration = .seconds(5), maxOutput: Int = 1 << 20,
        maxCommands: Int = 32, console: Console
    ) throws {
        self.policy = policy
        self.timeout = timeout
        self.maxOutput = maxOutput
        self.maxCommands = maxCommands
        self.console = console
        listener = try Socket.listening(host: host, port: port)
    }

    /// How many commands are running now.
    public var runningCommands: Int { running.withLock { $0 } }

    /// One client: receive a command line, run it, send its reply frame, until the client leaves.
    public func converse(with client: Socket) async throws {
        let peer = client.peerDescription
        var reader = LineReader(client, maxLineBytes: Self.maxLineBytes)
        while let request = try await reader.next() {
            let reply: RexecReply
            switch request.ending {
            case .closed:
                console.log("\(peer): closed in the middle of a command line; nothing was run")
                return
            case .overlong:
                // Refused at once, whole; the rest of the line, up to its line end, is read and dropped
                // (the reader lets no pause end it), so no command runs from part of a request.
                let refusal = RexecReply.refusal(
                    "the command line is longer than \(Self.maxLineBytes) bytes", status: 126)
                try await client.send(refusal.frame.bytes)
                var rest = request
                while rest.ending == .overlong, let next = try await reader.next() { rest = next }
                continue
            case .lineEnd, .pause:
                guard let line = String(validating: request.text, as: UTF8.self) else {
                    reply = .refusal("the command line is not UTF-8 text", status: 126)
                    break
                }
                // Every request gets one reply frame, a blank one too: its client is waiting for it.
                if line.trimmingCharacters(in: .whitespaces).isEmpty {
                    reply = .refusal("empty command — send a command line such as 'ls'", status: 126)
                    break
                }
                reply = await execute(line, for: client)
                // Escaped: a refused line may hold control characters meant for the operator's terminal.
                console.log("\(peer): \(TerminalText.escaped(line)) → exit status \(reply.exitStatus)")
            }
            try await client.send(reply.frame.bytes)
        }
    }

    /// How a running command ended.
    private enum Ending: Sendable {
        case finished, timedOut, clientLeft
    }

    /// Runs one command line under the policy, `--max-commands`, the timeout and the output cap. With
    /// `client`, the command is stopped at once when that client leaves while it runs.
    public func execute(_ line: String, for client: Socket? = nil) async -> RexecReply {
        let arguments: [String]
        switch policy.check(line) {
        case .refuse(let message, let status): return .refusal(message, status: status)
        case .run(let words): arguments = words
        }
        // argv is C strings: an argument with a NUL would reach the program cut short, after its check.
        guard !arguments.contains(where: { $0.utf8.contains(0) }) else {
            return .refusal("an argument holds a NUL byte, which no program can receive whole", status: 126)
        }
        guard takeSlot() else {
            return .refusal(
                "the server is already running \(maxCommands) command\(maxCommands == 1 ? "" : "s") (its --max-commands) "
                    + "— try again when one has finished", status: 126)
        }
        defer { running.withLock { $0 -= 1 } }
        // A FIN that came before the command starts is a half-close (`printf 'ls\n' | nc -N`): the
        // client still reads its reply. One that comes while the command runs means it left.
        let stateAtStart = client?.peerState ?? .connected
        if stateAtStart == .gone { return .refusal("the client has gone; nothing was run", status: 126) }
        var options = ChildProcess.Options()
        options.inheritsEnvironment = false  // a minimal environment: nothing of the server's leaks
        options.environment = ["PATH": CommandPolicy.searchPath, "LANG": "C.UTF-8", "HOME": policy.folder]
        options.separatesErrors = true
        options.outputLimit = maxOutput
        options.keepsFirstBytes = true
        let process: ChildProcess
        do {
            // Throws when the system refuses a process, a pipe or a thread (EAGAIN, EMFILE): a refusal frame.
            process = try await ChildProcess.started(arguments: arguments, options: options, folder: policy.folder)
        } catch {
            return .refusal(ErrorSentence.describing(error), status: 127)
        }
        let ending = await waitForEnd(of: process, client: client, from: stateAtStart, deadline: .now + timeout)
        let stdout = process.outputBytes
        let stderr = process.errorBytes
        var errors = stderr.bytes
        switch ending {
        case .finished:
            break
        case .timedOut:
            errors += Array(
                "netlab rexec: the command ran longer than \(SocketError.format(seconds: timeout.seconds)) and was stopped\n"
                    .utf8)
        case .clientLeft:
            errors += Array("netlab rexec: the client closed its connection, so the command was stopped\n".utf8)
        }
        let status: Int32 =
            switch ending {
            case .finished: process.exitStatus ?? 128
            case .timedOut: 124
            case .clientLeft: 137  // 128 + SIGKILL, as a shell reports a killed command
            }
        return RexecReply(
            stdout: stdout.bytes, stderr: errors, exitStatus: status,
            truncated: stdout.isTruncated || stderr.isTruncated, timedOut: ending == .timedOut)
    }

    private func takeSlot() -> Bool {
        running.withLock { count in
            guard count < maxCommands else { return false }
            count += 1
            return true
        }
    }

    /// Waits for the first of: the command finishing (its exit and both pipes drained), the deadline,
    /// or the client leaving; a command that did not finish is killed, with its process group, and
    /// waited for. Each is an event (a callback, a timer, the socket's poll), never a polling loop.
    private func waitForEnd(
        of process: ChildProcess, client: Socket?, from state: Socket.PeerState, deadline: ContinuousClock.Instant
    ) async -> Ending {
        await withTaskGroup(of: Ending?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in process.whenFinished { continuation.resume() } }
                return .finished
            }
            group.addTask {
                do {
                    if let client {
                        _ = try await client.waitForPeer(toLeave: state, until: deadline)
                        return .clientLeft
                    }
                    try await Task.sleep(until: deadline, clock: .continuous)
                    return .timedOut
                } catch is WaitTimeout {
                    return .timedOut
                } catch {
                    return Task.isCancelled ? nil : .clientLeft
                }
            }
            let first = (await group.next() ?? nil) ?? .clientLeft
            if first != .finished {
                // No grace: this runs on an event loop, which must never block. The group then waits for
                // the killed command's exit and pipes.
                process.killNow()
            }
            group.cancelAll()
            return first
        }
    }
}
