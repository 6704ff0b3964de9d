import NetlabSockets

/// An RFC 867 daytime client: asks a server for the time and prints it.
public struct DaytimeClient: Sendable {
    public let host: String
    public let port: Int
    public let transport: SocketError.Transport
    public let timeout: Duration
    public let retries: Int

    public init(host: String, port: Int, transport: SocketError.Transport, timeout: Duration, retries: Int = 2) {
        self.host = host
        self.port = port
        self.transport = transport
        self.timeout = timeout
        self.retries = retries
    }

    /// The server's answer, without its line end.
    public func query() async throws -> String {
        let bytes: [UInt8]
        switch transport {
        case .tcp:
            // TCP daytime: connect, read until the server closes, send nothing.
            let socket = try await Socket.connected(host: host, port: port, kind: .tcp, timeout: timeout)
            defer { socket.close() }
            var received: [UInt8] = []
            while received.count < 4096 {
                let chunk: [UInt8]
                do {
                    chunk = try await socket.receive(timeout: timeout)
                } catch SocketError.timedOut where !received.isEmpty {
                    break  // the time came and the server kept the connection open: what came is the time
                }
                if chunk.isEmpty { break }
                received += chunk
            }
            bytes = received
        case .udp:
            // UDP daytime: send any datagram, the answer is one datagram.
            let socket = try await Socket.connected(host: host, port: port, kind: .udp, timeout: timeout)
            defer { socket.close() }
            var answer: [UInt8]?
            for _ in 0...retries where answer == nil {
                try await socket.send(Array("what time is it?\n".utf8), to: nil)
                do {
                    answer = try await socket.receiveDatagram(deadline: .now + timeout).bytes
                } catch is WaitTimeout {
                    continue  // lost, or nobody there: UDP cannot tell, so ask again
                }
            }
            guard let answer else {
                throw SocketError.noReply(
                    peer: SocketAddress.format(host: host, port: port), tries: retries + 1,
                    timeout: timeout.seconds)
            }
            bytes = answer
        }
        var text = String(decoding: bytes, as: UTF8.self)
        while text.last == "\n" || text.last == "\r" || text.last == "\r\n" { text.removeLast() }
        return text
    }
}
