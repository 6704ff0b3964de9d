import NetlabTopics

/// A chat server in this process, on a free loopback port, logging into a captured console.
struct ChatFixture {
    let server: ChatServer
    let port: Int
    let task: Task<Void, any Error>
    let console: Console

    init(
        _ chatProtocol: ChatServer.ChatProtocol, maxLine: Int = 4096, maxQueue: Int = 1 << 20,
        loginTimeout: Duration = .seconds(30), stallTimeout: Duration = .seconds(10)
    ) throws {
        console = Console.capture()
        server = try ChatServer(
            host: "127.0.0.1", port: 0, chatProtocol: chatProtocol, maxLineBytes: maxLine, maxQueueBytes: maxQueue,
            loginTimeout: loginTimeout, stallTimeout: stallTimeout, console: console)
        port = try server.localAddress.port
        let server = self.server
        task = Task { try await server.run() }
    }

    func stop() {
        task.cancel()
        server.close()
    }

    /// netlab's arguments for `netlab chat client` logging in to this server: `--user U --room R`
    /// (rooms protocol) or `--nick N` (direct protocol).
    func clientArguments(user: String, room: String) -> [String] {
        ["chat", "client", "--user", user, "--room", room, "--port", "\(port)"]
    }

    func clientArguments(nick: String) -> [String] {
        ["chat", "client", "--nick", nick, "--port", "\(port)"]
    }

    /// Connects and sends the login line; returns the client.
    func join(_ login: String) async throws -> LineClient {
        let client = try await LineClient.connect(port: port)
        try await client.send(login + "\n")
        return client
    }
}

/// Reads lines until one satisfies `predicate`, failing after a few seconds.
func readUntil(_ client: inout LineClient, _ predicate: (String) -> Bool) async throws -> String {
    while true {
        guard let line = try await client.readLine() else { throw TestTimeout(seconds: 0) }
        if predicate(line) { return line }
    }
}
