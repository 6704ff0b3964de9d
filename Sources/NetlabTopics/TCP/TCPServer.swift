import NetlabSockets
import Synchronization

/// The course's TCP server (seed 000's tsTserv.py, seed 002's hello server), serving many clients at once.
///
/// Read it next to lessons/03-tcp-sockets.md: socket, bind and listen in `init`; then `run` accepts
/// clients, and `serve` is each client's loop of receive and send.
public final class TCPServer: Sendable {
    public let reply: ReplyMode
    public let console: Console
    /// Whether to log each connection on stderr (errors are always logged).
    public let logsConnections: Bool
    /// Called with every message a client sends, before it is answered (the grader's scripted server records them).
    public let onMessage: (@Sendable (Message) -> Void)?
    private let listener: Socket

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

    /// Where the server listens; after `--port 0`, the port the kernel picked.
    public var localAddress: SocketAddress { get throws { try listener.localAddress } }

    /// Accepts clients until cancelled, each served by its own task on one of the event loops.
    public func run() async throws {
        try await withTaskExecutorPreference(listener.loop) {
            try await withThrowingDiscardingTaskGroup { group in
                let (arrivals, arrived) = AsyncStream.makeStream(of: Socket.self)
                group.addTask { try await self.acceptClients(handingTo: arrived) }
                for await client in arrivals {
                    group.addTask(executorPreference: client.loop) {
                        await self.serve(client)
                    }
                }
            }
        }
    }

    /// The seed's `while True: accept()` loop. Each client is handed to `arrived` to be served: at once
    /// when the server speaks first (a greeting), otherwise once it has sent something, so a client that
    /// has not spoken yet costs no task (10,000 idle clients: README, performance).
    private func acceptClients(handingTo arrived: AsyncStream<Socket>.Continuation) async throws {
        let quiet = QuietClients()
        defer {
            // Clients still quiet when accepting stops are served all the same: run ends when they leave.
            for client in quiet.takeAll() { arrived.yield(client) }
            arrived.finish()
        }
        while !Task.isCancelled {
            let client: Socket
            do {
                client = try await listener.accept()
            } catch let error as SocketError {
                // Out of file descriptors, say: tell the operator, breathe, and keep serving.
                try await Socket.recover(afterFailedAccept: error, logTo: console)
                continue
            }
            if logsConnections { console.log("connected from \(client.peerDescription)") }
            if reply.greeting != nil {
                arrived.yield(client)
                continue
            }
            quiet.add(client)
            client.whenReadable {
                if quiet.remove(client) { arrived.yield(client) }
            }
        }
    }

    /// Stops accepting: `run` ends once its clients are gone or cancelled.
    public func close() { listener.close() }

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

    /// One client, from its arrival to its leaving: the conversation, and the log lines around it.
    func serve(_ client: Socket) async {
        defer {
            client.close()
            if logsConnections { console.log("closed \(client.peerDescription)") }
        }
        do {
            // Each conversation is a function of its own: an async function's frame holds every local of
            // every path, so a small frame here keeps 10,000 idle echo clients about 1 KiB each lighter.
            if reply == .echo, onMessage == nil {
                try await echo(client)
            } else {
                try await converse(client)
            }
        } catch is CancellationError {
            return
        } catch {
            console.logClientError(error, peer: client.peerDescription)
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

/// The accepted clients that have not sent anything yet, held until they do.
private final class QuietClients: Sendable {
    private let clients = Mutex<[ObjectIdentifier: Socket]>([:])

    func add(_ client: Socket) { clients.withLock { $0[ObjectIdentifier(client)] = client } }

    /// Whether `client` was still held (and now is not): only the first of its removals serves it.
    func remove(_ client: Socket) -> Bool {
        clients.withLock { $0.removeValue(forKey: ObjectIdentifier(client)) != nil }
    }

    func takeAll() -> [Socket] {
        clients.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
    }
}
