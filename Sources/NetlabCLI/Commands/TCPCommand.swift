import NetlabTopics

/// `netlab tcp server` and `netlab tcp client`.
enum TCPCommand {
    static let command = Command(
        "tcp", summary: "TCP server and client: the course's timestamp, echo and hello programs.",
        examples: ["netlab tcp server --port 0 --reply hello"],
        subcommands: [server, client])

    static let server = Command(
        "server", summary: "Serve TCP clients, answering each line they send.",
        discussion: """
            The first line on stdout says where the server listens; connections and errors are logged on stderr.
            Replies: timestamp is '[ctime] data', echo sends the data back, upper in capitals,
            hello greets with 'Welcome!', answers 'Hello, X!' and closes on 'exit'.
            """,
        options: [.key(.host), .key(.port), .key(.reply), .key(.quiet), .key(.unix)],
        examples: ["netlab tcp server --port 0 --reply upper", "netlab tcp server --unix /tmp/netlab.sock"],
        action: { invocation in
            let endpoint = try UnixSocketOption.endpoint(invocation)
            let server = try TCPServer(
                at: endpoint, reply: invocation[.reply], console: invocation.console,
                logsConnections: !invocation[.quiet])
            ServerOptions.announce(
                try server.localAddress, transport: UnixSocketOption.transport(endpoint, "tcp"), invocation: invocation)
            return try await ServerLifetime.serve(server, console: invocation.console)
        })

    static let client = Command(
        "client", summary: "Send each line of input to a TCP server and print each reply.",
        discussion: """
            An empty line or the end of input quits. Each line is sent as it was typed, without its line end,
            as the course's clients send it; --eol lf adds one for servers that read whole lines.
            """,
        options: [.key(.serverHost), .key(.serverPort), .key(.timeout), .key(.lineEnd), .key(.unix)],
        examples: [
            "echo hello | netlab tcp client --port 21567", "echo hello | netlab tcp client --unix /tmp/netlab.sock",
        ],
        action: { invocation in
            try await TCPClient(
                to: try UnixSocketOption.endpoint(invocation), timeout: invocation[.timeout],
                lineEnd: invocation[.lineEnd], console: invocation.console
            ).run()
        })
}
