import NetlabSockets

/// Two ends of one loopback TCP connection, for testing readers without a server.
func loopbackPair() async throws -> (sender: Socket, receiver: Socket) {
    let listener = try Socket.listening(host: "127.0.0.1", port: 0)
    defer { listener.close() }
    async let accepted = listener.accept()
    let sender = try await Socket.connected(host: "127.0.0.1", port: try listener.localAddress.port)
    return (sender, try await accepted)
}

/// A loopback TCP port nothing listens on: one the kernel handed out and that was closed again.
func closedPort() throws -> Int {
    let probe = try Socket.listening(host: "127.0.0.1", port: 0)
    defer { probe.close() }
    return try probe.localAddress.port
}
