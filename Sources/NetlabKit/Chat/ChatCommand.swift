import Foundation

/// `netlab chat server` (and, later, `chat peer` and `chat client`).
enum ChatCommand {
    static let command = Command(
        "chat", summary: "Multi-user chat: rooms (16-9/10) and direct messages (seed 003).",
        examples: ["netlab chat server --port 0"],
        subcommands: [server])

    static let server = Command(
        "server", summary: "Serve chat clients in rooms, or with direct messages.",
        discussion: """
            rooms: the first line is 'username room'; the answer is 'success', or 'reuse' when the name is taken in
            that room; every later line goes to the others in the room as '[ctime] username: text'; 'quit' leaves.
            Also /who, /rooms, /msg USER text and /help. direct: the first line is the nickname; 'to:message' goes
            to user 'to', 'all:message' to everyone else; the receiver gets 'from:message'.
            Lines typed on the server's standard input go to everyone as notices.
            """,
        options: [
            Option(
                "host", "HOST", default: "127.0.0.1", help: "address to listen on; 0.0.0.0 or :: for every interface"),
            Option("port", "PORT", kind: .port, default: "21567", help: "port to listen on; 0 picks a free one"),
            Option("protocol", "NAME", kind: .choice(["rooms", "direct"]), default: "rooms", help: "rooms or direct"),
            Option(
                "max-line", "BYTES", kind: .integer(16...(1 << 20)), default: "4096", help: "the longest line relayed"),
            Option(
                "max-queue", "BYTES", kind: .integer(1024...(1 << 30)), default: "1048576",
                help: "bytes that may wait for a slow reader before it is disconnected"),
        ],
        examples: ["netlab chat server --port 0 --protocol direct"],
        action: { invocation in
            Socket.raiseOpenFileLimit()
            let server = try ChatServer(
                host: invocation.string("host")!, port: invocation.int("port"),
                chatProtocol: ChatServer.ChatProtocol(rawValue: invocation.string("protocol")!)!,
                maxLineBytes: invocation.int("max-line"), maxQueueBytes: invocation.int("max-queue"),
                console: invocation.console)
            ServerOptions.announce(try server.localAddress, transport: "tcp", invocation: invocation)
            // Notices typed on stdin (seed 003's tsend): a thread of their own, since reading stdin blocks.
            let console = invocation.console
            Thread {
                while let line = console.readLine() {
                    let text = String(decoding: line, as: UTF8.self)
                    if !text.isEmpty { server.announce(text) }
                }
            }.start()
            try await server.run()
            return 0
        })
}
