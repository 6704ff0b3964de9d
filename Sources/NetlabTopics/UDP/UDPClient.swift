import NetlabSockets

/// The course's UDP client (seed 000's tsUclnt.py), with what UDP lacks: a timeout and retries.
public struct UDPClient: Sendable {
    public let endpoint: Endpoint
    public let timeout: Duration
    /// How many times a datagram is sent again when no reply comes.
    public let retries: Int
    public let console: Console

    public init(host: String, port: Int, timeout: Duration, retries: Int, console: Console) {
        self.init(to: .inet(host: host, port: port), timeout: timeout, retries: retries, console: console)
    }

    public init(to endpoint: Endpoint, timeout: Duration, retries: Int, console: Console) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.retries = retries
        self.console = console
    }

    /// Sends each line as a datagram and prints the reply; exit status 1 if any line got no reply.
    public func run() async throws -> Int32 {
        // connect(2) on a UDP socket only fixes the peer, so the kernel can report ECONNREFUSED
        // when nothing listens, and replies from anyone else are dropped.
        let socket = try await Socket.connected(to: endpoint, kind: .udp, timeout: timeout)
        defer { socket.close() }
        var status: Int32 = 0
        while let line = console.readLine(), !line.isEmpty {
            if let reply = try await ask(socket, line) {
                console.writeOut(reply.last == UInt8(ascii: "\n") ? reply : reply + [UInt8(ascii: "\n")])
            } else {
                let error = SocketError.noReply(
                    peer: endpoint.description, tries: retries + 1,
                    timeout: timeout.seconds)
                console.err("netlab: \(error)")
                status = 1
            }
        }
        return status
    }

    /// Sends one datagram and waits for its reply, sending again up to `retries` times.
    func ask(_ socket: Socket, _ line: [UInt8]) async throws -> [UInt8]? {
        await discardLateReplies(socket)
        for _ in 0...retries {
            try await socket.send(line, to: nil)
            do {
                return try await socket.receiveDatagram(deadline: .now + timeout).bytes
            } catch is WaitTimeout {
                continue
            }
        }
        return nil
    }

    /// Drops replies that arrived after their request gave up, so they are not taken for the next answer.
    private func discardLateReplies(_ socket: Socket) async {
        while (try? await socket.receiveDatagram(deadline: .now)) != nil {}
    }
}
