import NetlabSockets

/// Seed 004's remote command client: send a command line, read one reply frame, show stdout and stderr.
public struct RexecClient: Sendable {
    public let host: String
    public let port: Int
    public let timeout: Duration
    public let console: Console

    public init(host: String, port: Int, timeout: Duration, console: Console) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.console = console
    }

    /// Runs `command` (one-shot) or each line of input; returns the last command's exit status.
    public func run(command: [String]?) async throws -> Int32 {
        let socket = try await Socket.connected(host: host, port: port, kind: .tcp, timeout: timeout)
        defer { socket.close() }
        var decoder = FrameDecoder()
        if let command {
            // One word after `--` is a whole command line the user quoted ('ls | wc -l'): send it as it is.
            let line = command.count == 1 ? command[0] : CommandWords.join(command)
            return try await ask(line, socket: socket, decoder: &decoder)
        }
        var status: Int32 = 0
        while let line = console.readLine(), !line.isEmpty {
            status = try await ask(String(decoding: line, as: UTF8.self), socket: socket, decoder: &decoder)
        }
        return status
    }

    private func ask(_ line: String, socket: Socket, decoder: inout FrameDecoder) async throws -> Int32 {
        try await socket.send(line + "\n")
        guard let frame = try await socket.receiveFrame(using: &decoder, timeout: timeout) else {
            throw RuntimeError("the server closed the connection before answering '\(line)'")
        }
        let reply = try RexecReply(frame: frame)
        console.writeOut(reply.stdout)
        console.writeErr(reply.stderr)
        if reply.truncated {
            let ended = reply.stdout.isEmpty || reply.stdout.last == UInt8(ascii: "\n")
            console.err((ended ? "" : "\n") + "netlab: the output was cut at the server's --max-output")
        }
        return reply.exitStatus
    }
}
