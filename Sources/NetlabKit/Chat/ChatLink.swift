/// One chat connection, seen from a chat program (`ChatPeer`, `ChatClient`): a task of its own reads
/// its lines and writes, in order, the lines put in its outbox; that task alone closes the socket,
/// once both directions are done, so no descriptor is closed while another task still uses it.
struct ChatLink: Sendable {
    /// Lines to send; `finish()` sends what is queued, then ends this side of the stream.
    let outbox: AsyncStream<String>.Continuation

    /// Starts the connection's task in `group`; `received` gets each line, `closed` the end of the stream.
    init(
        _ socket: Socket, reader: LineReader? = nil, group: inout TaskGroup<Void>,
        received: @escaping @Sendable (Message) -> Void, closed: @escaping @Sendable () -> Void
    ) {
        try? socket.setNoDelay()  // a chat line should leave at once, not wait for Nagle's algorithm
        let (outgoing, outbox) = AsyncStream.makeStream(of: String.self)
        self.outbox = outbox
        group.addTask { [reader] in
            await withDiscardingTaskGroup { connection in
                connection.addTask {
                    for await line in outgoing {
                        do { try await socket.send(line + "\n") } catch { break }
                    }
                    socket.shutdownWrite()  // the other side reads the end of the stream: this side has left
                }
                // Lines from the other side are only shown: a pause may end one even after line ends.
                var reader = reader ?? LineReader(socket, locksToLines: false)
                while let message = try? await reader.next() { received(message) }
                closed()
            }
            socket.close()
        }
    }

    func send(_ line: String) { outbox.yield(line) }

    /// Sends what is queued, then the end of the stream.
    func finish() { outbox.finish() }
}
