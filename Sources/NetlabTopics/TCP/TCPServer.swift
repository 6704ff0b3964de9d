import NetlabSockets

/// The course's TCP server (seed 000's tsTserv.py, seed 002's hello server), serving many clients at once.
///
/// Read it next to lessons/03-tcp-sockets.md: socket, bind and listen in `init`; then `run`
/// (Serving/StreamServer.swift, shared by every TCP server) accepts clients, and `converse` is each
/// client's loop of receive and send.
public final class TCPServer: StreamServer {
    public let reply: ReplyMode
    public let console: Console
    /// Whether to log each connection on stderr (errors are always logged).
    public let logsConnections: Bool
    /// Called with every message a client sends, before it is answered (the grader's scripted server records them).
    public let onMessage: (@Sendable (Message) -> Void)?
    public let listener: Socket

    /// Creates the listening socket: socket(2), bind(2) with SO_REUSEADDR, listen(2).
    public init(
        at endpoint: Endpoint, reply: ReplyMode, console: Console, logsConnections: Bool = true,
        onMessage: (@Sendable (Message) -> Void)? = nil
    ) throws {
        self.reply = reply
        self.onMessage = onMessage
        self.console = console
        self.logsConnections = logsConnections
        listener = try Socket.listening(at: endpoint)
    }

    /// Creates the listening socket on a host and port.
    public convenience init(
        host: String, port: Int, reply: ReplyMode, console: Console, logsConnections: Bool = true,
        onMessage: (@Sendable (Message) -> Void)? = nil
    ) throws {
        try self.init(
            at: .inet(host: host, port: port), reply: reply, console: console, logsConnections: logsConnections,
            onMessage: onMessage)
    }

    public var logsArrivals: Bool { logsConnections }

    /// A client of a server that greets is served at once; otherwise once it has sent something.
    public var waitsForClientToSpeak: Bool { reply.greeting == nil }

    /// Echo needs no framing: every byte goes back as it came, in order, so the server relays what each
    /// receive returns — the same bytes on the wire as echoing line by line, without parsing lines.
    func echo(_ client: Socket) async throws {
        // Nothing reserved up front: a client that never sends costs no buffer (2 KiB each, reserved,
        // was a third of an idle connection's memory); the first receive allocates what it needs.
        var buffer: [UInt8] = []
        while try await client.receive(appendingTo: &buffer, deadline: nil) > 0 {
            try await client.send(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// One client's conversation. Each kind is a function of its own: an async function's frame holds
    /// every local of every path, so a small frame here keeps 10,000 idle echo clients about 1 KiB each
    /// lighter.
    public func converse(with client: Socket) async throws {
        if reply == .echo, onMessage == nil {
            try await echo(client)
        } else {
            try await converse(client)
        }
    }

    /// Greet, then receive a message and send its reply, until the client leaves.
    func converse(_ client: Socket) async throws {
        if let greeting = reply.greeting { try await client.send(greeting) }
        var reader = LineReader(client)
        while let message = try await reader.next() {
            onMessage?(message)
            guard let answer = reply.reply(to: message) else { break }
            try await client.send(answer)
        }
    }
}
