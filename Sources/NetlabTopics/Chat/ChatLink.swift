import NetlabSockets

/// One chat connection, seen from a chat program (`ChatPeer`, `ChatClient`): a task of its own reads
/// its lines and writes, in order, the lines put in its outbox; that task alone closes the socket,
/// once both directions are done, so no descriptor is closed while another task still uses it.
struct ChatLink: Sendable {
    /// Lines to send, encoded; `finish()` sends what is queued, then ends this side of the stream.
    let outbox: AsyncStream<[UInt8]>.Continuation

    /// How long a line sent without a line end waits before the next line: the pause is all that tells
    /// the receiver's `recv()` where one message ends (lessons/07-sticky-packets.md).
    static let pauseBetweenBareLines = Duration.milliseconds(50)

    /// Starts the connection's task in `group`; `received` gets each line, `closed` the end of the stream.
    /// Each line sent is followed by `lineEnd` (`\n` unless the other side wants none).
    init(
        _ socket: Socket, reader: LineReader? = nil, lineEnd: [UInt8] = [UInt8(ascii: "\n")],
        group: inout TaskGroup<Void>,
        received: @escaping @Sendable (Message) -> Void, closed: @escaping @Sendable () -> Void
    ) {
        try? socket.setNoDelay()  // a chat line should leave at once, not wait for Nagle's algorithm
        // A partner that vanished (its machine off, its network gone) is noticed, as the server notices.
        let keepAlive = ChatServer.keepAlive
        try? socket.setKeepAlive(idle: keepAlive.idle, interval: keepAlive.interval, count: keepAlive.count)
        let (outgoing, outbox) = AsyncStream.makeStream(of: [UInt8].self)
        self.outbox = outbox
        group.addTask { [reader] in
            await withDiscardingTaskGroup { connection in
                connection.addTask {
                    for await line in outgoing {
                        do { try await socket.send(line + lineEnd) } catch { break }
                        if lineEnd.isEmpty { try? await Task.sleep(for: ChatLink.pauseBetweenBareLines) }
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

    /// Queues a line, written in `encoding` (UTF-8 unless the other side writes GBK).
    func send(_ line: String, encoding: ChatEncoding = .utf8) { outbox.yield(encoding.encode(line)) }

    /// Sends what is queued, then the end of the stream.
    func finish() { outbox.finish() }
}
