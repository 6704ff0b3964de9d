import NetlabSockets

/// The course's TCP client (seed 000's tsTclnt.py): send each line typed, print each reply,
/// and stop at an empty line or the end of input.
public struct TCPClient: Sendable {
    /// What follows each line on the wire.
    public enum LineEnd: String, CaseIterable, Sendable {
        /// Nothing, as the seeds' clients send: their servers compare `data == 'exit'`.
        case none
        /// `\n`, for servers that read whole lines (Python's `rfile.readline()`).
        case lf
        /// `\r\n`, as seed 000's socketserver client sends.
        case crlf

        var bytes: [UInt8] {
            switch self {
            case .none: []
            case .lf: [UInt8(ascii: "\n")]
            case .crlf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
            }
        }
    }

    public let endpoint: Endpoint
    public let timeout: Duration
    public let lineEnd: LineEnd
    public let console: Console

    /// How long the client listens for a greeting (hello's `Welcome!`) before the first line. A greeting
    /// that came later would be taken for the first line's reply, so this errs on the long side.
    static let greetingWait = Duration.milliseconds(500)
    /// Bytes that stop arriving for this long end a reply that has no line end.
    static let replyPause = Duration.milliseconds(50)

    public init(host: String, port: Int, timeout: Duration, lineEnd: LineEnd = .none, console: Console) {
        self.init(to: .inet(host: host, port: port), timeout: timeout, lineEnd: lineEnd, console: console)
    }

    public init(to endpoint: Endpoint, timeout: Duration, lineEnd: LineEnd = .none, console: Console) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.lineEnd = lineEnd
        self.console = console
    }

    /// Connects, then sends lines and prints replies; returns the exit status.
    public func run() async throws -> Int32 {
        let socket = try await Socket.connected(to: endpoint, kind: .tcp, timeout: timeout)
        defer { socket.close() }
        if let greeting = try await receiveReply(from: socket, within: Self.greetingWait, isOptional: true) {
            show(greeting)
        }
        var hasSaidGoodbye = false  // sent `exit` or `quit`, after which a server may hang up
        while let line = console.readLine(), !line.isEmpty {
            let text = String(decoding: line, as: UTF8.self)
            if ["exit", "quit"].contains(text) { hasSaidGoodbye = true }
            let reply: [UInt8]?
            do {
                try await socket.send(line + lineEnd.bytes)
                reply = try await receiveReply(from: socket, within: timeout, isOptional: false)
            } catch SocketError.peerClosed, SocketError.connectionReset {
                reply = nil
            } catch let error as SocketError {
                // No reply to a line sent without its end: the server may be waiting for the end.
                if case .timedOut = error, lineEnd == .none {
                    throw RuntimeError(
                        "\(error.description); if the server reads whole lines (readline), send line ends with --eol lf"
                    )
                }
                throw error
            }
            guard let reply else {
                // After `exit` or `quit` a server is expected to hang up; before, a line went unanswered.
                if hasSaidGoodbye {
                    console.err("the server closed the connection")
                    return 0
                }
                throw RuntimeError("the server closed the connection without answering '\(TerminalText.escaped(text))'")
            }
            show(reply)
        }
        return 0
    }

    /// Waits up to `within` for the first bytes, then gathers bytes until a line end or a short pause.
    ///
    /// Returns nil when the server closed the connection (or, if `isOptional`, when nothing came).
    func receiveReply(from socket: Socket, within wait: Duration, isOptional: Bool) async throws -> [UInt8]? {
        var reply: [UInt8] = []
        do {
            if try await socket.receive(appendingTo: &reply, deadline: .now + wait) == 0 { return nil }
        } catch is WaitTimeout {
            if isOptional { return nil }
            throw SocketError.timedOut(
                operation: "waiting for a reply from", peer: endpoint.description,
                seconds: wait.seconds)
        }
        while reply.last != UInt8(ascii: "\n") {
            do {
                if try await socket.receive(appendingTo: &reply, deadline: .now + Self.replyPause) == 0 { break }
            } catch is WaitTimeout {
                break
            }
        }
        return reply
    }

    /// Prints a reply as one line: a `\r\n` end becomes `\n`, and a reply without a line end gets one.
    private func show(_ reply: [UInt8]) {
        var line = reply
        if line.last == UInt8(ascii: "\n") { line.removeLast() }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        console.writeOut(line + [UInt8(ascii: "\n")])
    }
}
