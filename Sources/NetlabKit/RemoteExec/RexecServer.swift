/// Seed 004's remote command server, made safe to run in a classroom.
///
/// Read it with lessons/07-sticky-packets.md and lessons/08-command-servers.md: socket, bind, listen, accept;
/// then for each command line received, check it against the policy, run it, and send one frame
/// back: a 4-byte big-endian header length, the JSON header, then stdout and stderr.
public final class RexecServer: Sendable {
    public let policy: CommandPolicy
    public let timeout: Duration
    public let maxOutput: Int
    public let console: Console
    private let listener: Socket

    /// The longest command line accepted.
    public static let maxLineBytes = 64 * 1024

    public init(
        host: String, port: Int, policy: CommandPolicy, timeout: Duration = .seconds(5), maxOutput: Int = 1 << 20,
        console: Console
    ) throws {
        self.policy = policy
        self.timeout = timeout
        self.maxOutput = maxOutput
        self.console = console
        listener = try Socket.listening(host: host, port: port)
    }

    public var localAddress: SocketAddress { get throws { try listener.localAddress } }

    public func run() async throws {
        try await listener.acceptEach(logErrorsTo: console) { client in await self.serve(client) }
    }

    public func close() { listener.close() }

    /// One client: receive a command line, run it, send its reply frame, until the client leaves.
    func serve(_ client: Socket) async {
        let peer = client.peerDescription
        console.log("connected from \(peer)")
        defer {
            client.close()
            console.log("closed \(peer)")
        }
        do {
            var reader = LineReader(client, maxLineBytes: Self.maxLineBytes)
            while let request = try await reader.next() {
                let reply: RexecReply
                switch request.ending {
                case .closed:
                    console.log("\(peer): closed in the middle of a command line; nothing was run")
                    return
                case .overlong:
                    // Skip the rest of that line, then refuse it whole: no command runs from part of a request.
                    var rest = request
                    while rest.ending == .overlong, let next = try await reader.next() { rest = next }
                    reply = .refusal("the command line is longer than \(Self.maxLineBytes) bytes", status: 126)
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
                    reply = await execute(line)
                    console.log("\(peer): \(line) → exit status \(reply.exitStatus)")
                }
                try await client.send(reply.frame.bytes)
            }
        } catch is CancellationError {
            return
        } catch {
            console.logClientError(error, peer: peer)
        }
    }

    /// Runs one command line under the policy, the timeout and the output cap.
    public func execute(_ line: String) async -> RexecReply {
        let arguments: [String]
        switch policy.check(line) {
        case .refuse(let message, let status): return .refusal(message, status: status)
        case .run(let words): arguments = words
        }
        var options = ChildProcess.Options()
        options.inheritsEnvironment = false  // a minimal environment: nothing of the server's leaks
        options.environment = ["PATH": CommandPolicy.searchPath, "LANG": "C.UTF-8", "HOME": policy.folder]
        options.separatesErrors = true
        options.outputLimit = maxOutput
        options.keepsFirstBytes = true
        let process: ChildProcess
        do {
            process = try ChildProcess(arguments: arguments, options: options, folder: policy.folder)
        } catch {
            return .refusal(CLI.describe(error), status: 127)
        }
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while !process.isFinished {
            // Not finished means the command or something it started still holds the output pipes.
            if !timedOut, ContinuousClock.now >= deadline {
                timedOut = true
                process.killNow()  // no grace: this runs on an event loop, which must never block
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        let stdout = process.outputBytes
        let stderr = process.errorBytes
        var errors = stderr.bytes
        if timedOut {
            errors += Array(
                "netlab rexec: the command ran longer than \(SocketError.format(seconds: timeout.seconds)) and was stopped\n"
                    .utf8)
        }
        return RexecReply(
            stdout: stdout.bytes, stderr: errors, exitStatus: timedOut ? 124 : (process.exitStatus ?? 128),
            truncated: stdout.isTruncated || stderr.isTruncated, timedOut: timedOut)
    }
}
