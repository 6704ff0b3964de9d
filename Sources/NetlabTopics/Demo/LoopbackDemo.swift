import NetlabSockets

/// `netlab demo`: a server and a client on loopback, and every message between them, as a student sees it.
package enum LoopbackDemo {
    package static func run(console: Console) async throws {
        let quiet = Console.capture()
        let lines = ["hello", "how are you", "你好, socket"]

        for mode in [ReplyMode.timestamp, .hello] {
            let server = try TCPServer(host: "127.0.0.1", port: 0, reply: mode, console: quiet, logsConnections: false)
            let address = try server.localAddress
            console.out("== TCP, --reply \(mode.rawValue) ==")
            console.out("server: socket, bind, listen: listening on \(address) (tcp)")
            let serving = Task { try await server.run() }
            defer {
                serving.cancel()
                server.close()
            }
            let client = try await Socket.connected(host: "127.0.0.1", port: address.port)
            defer { client.close() }
            console.out("client: socket, connect: connected from \(try client.localAddress) to \(address)")
            var reader = LineReader(client, locksToLines: false)  // it only shows the server's replies
            if mode.greeting != nil, let greeting = try await reader.next() {
                console.out("client  <- \(greeting.string)")
            }
            for line in (mode == .hello ? ["Michael", "Tracy", "exit"] : lines) {
                console.out("client  -> \(line)")
                try await client.send(line + "\n")
                if let reply = try await reader.next() {
                    console.out("client  <- \(reply.string)")
                } else {
                    console.out("server closed the connection (the client said exit)")
                }
            }
            console.out("")
        }

        let server = try UDPServer(host: "127.0.0.1", port: 0, reply: .timestamp, console: quiet, logsDatagrams: false)
        let address = try server.localAddress
        console.out("== UDP, --reply timestamp ==")
        console.out("server: socket, bind: listening on \(address) (udp)")
        let serving = Task { try await server.run() }
        defer {
            serving.cancel()
            server.close()
        }
        let client = try Socket(.udp, family: address.family)
        defer { client.close() }
        for line in lines {
            console.out("client  -> \(line)   (sendto \(address))")
            try await client.send(Array(line.utf8), to: address)
            let (reply, sender) = try await client.receiveDatagram(timeout: .seconds(2))
            console.out("client  <- \(String(decoding: reply, as: UTF8.self))   (recvfrom \(sender))")
        }
        console.out("")
        console.out(
            "Next: 'netlab lessons', then run 'netlab tcp server' in one terminal and 'netlab tcp client' in another.")
    }
}
