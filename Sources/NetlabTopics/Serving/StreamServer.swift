import NetlabSockets
import Synchronization

/// What every netlab TCP server is, written once. The server's `init` makes the listening socket
/// (`Socket.listening`: socket, bind, listen); `run` is the seed's `while True: accept()` loop: each
/// client is served by a task of its own on its socket's event loop, with a log line when it arrives
/// and when it leaves, and an accept that fails is logged and retried, so one client never stops the
/// server. `stop(_:gracePeriod:)` ends it gracefully.
///
/// A server adds only its conversation with one client, `converse(with:)`: the loop of receive and
/// send that its lesson is about. lessons/03-tcp-sockets.md reads `TCPServer` and this file together.
public protocol StreamServer: Sendable {
    /// The listening socket.
    var listener: Socket { get }
    /// Where log lines go: standard error for netlab's commands, a capture in tests.
    var console: Console { get }
    /// Whether a line is logged as each client connects and leaves; errors always are. A server that
    /// logs its own (the chat server's joins and leaves) says no.
    var logsArrivals: Bool { get }
    /// Whether a client is handed to `converse(with:)` only once it has sent something. A server that
    /// waits for its client to speak holds a quiet client without a task, so 10,000 idle clients cost
    /// little (README, performance); a server that speaks first (a greeting) serves each client at once.
    var waitsForClientToSpeak: Bool { get }
    /// One client's conversation, until it leaves. A thrown error is logged with the client's
    /// address; the socket is closed afterwards by `run`.
    func converse(with client: Socket) async throws
}

extension StreamServer {
    public var logsArrivals: Bool { true }
    public var waitsForClientToSpeak: Bool { false }

    /// Where the server listens; after `--port 0`, the port the kernel picked.
    public var localAddress: SocketAddress { get throws { try listener.localAddress } }

    /// Stops accepting clients: `run` returns once the clients already connected have left.
    public func close() { listener.close() }

    /// Accepts clients until the listener is closed (or the task cancelled), each served by its own task;
    /// returns once every client has left.
    public func run() async throws {
        try await withTaskExecutorPreference(listener.loop) {
            try await withThrowingDiscardingTaskGroup { group in
                let (arrivals, arrived) = AsyncStream.makeStream(of: Socket.self)
                group.addTask { try await self.acceptClients(handingTo: arrived) }
                for await client in arrivals {
                    group.addTask(executorPreference: client.loop) { await self.serve(client) }
                }
            }
        }
    }

    /// Stops a server that `serving` runs: no new clients, and those connected get `gracePeriod` to
    /// finish before their tasks are cancelled. Returns once `run` has returned.
    public func stop(_ serving: Task<Void, any Error>, gracePeriod: Duration) async {
        close()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await serving.value }
            group.addTask {
                // Cancelled when the clients leave first; otherwise the grace period is over.
                if (try? await Task.sleep(for: gracePeriod)) != nil { serving.cancel() }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// The accept loop. Each client is handed to `arrived` to be served: at once, or, when the server
    /// waits for its client to speak, once it has sent something (or closed).
    private func acceptClients(handingTo arrived: AsyncStream<Socket>.Continuation) async throws {
        let quiet = QuietClients()
        defer {
            // Clients still quiet when accepting stops are served all the same: run ends when they leave.
            for client in quiet.takeAll() { arrived.yield(client) }
            arrived.finish()
        }
        while !Task.isCancelled && !listener.isClosed {
            let client: Socket
            do {
                client = try await listener.accept()
            } catch _ where listener.isClosed {
                break  // stopped: closing the listener ends the accept it waited in
            } catch let error as SocketError {
                // Out of file descriptors, say: tell the operator, breathe, and keep serving.
                try await Socket.recover(afterFailedAccept: error, logTo: console)
                continue
            }
            if logsArrivals { console.log("connected from \(client.peerDescription)") }
            guard waitsForClientToSpeak else {
                arrived.yield(client)
                continue
            }
            quiet.add(client)
            client.whenReadable {
                if quiet.remove(client) { arrived.yield(client) }
            }
        }
    }

    /// One client, from its arrival to its leaving: the conversation, and the log lines around it.
    private func serve(_ client: Socket) async {
        defer {
            client.close()
            if logsArrivals { console.log("closed \(client.peerDescription)") }
        }
        do {
            try await converse(with: client)
        } catch is CancellationError {
            return
        } catch {
            console.logClientError(error, peer: client.peerDescription)
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
