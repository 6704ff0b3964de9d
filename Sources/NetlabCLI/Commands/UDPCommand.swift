import NetlabTopics

/// `netlab udp server` and `netlab udp client`.
enum UDPCommand {
    static let command = Command(
        "udp", summary: "UDP server and client: the course's timestamp, echo and hello programs over datagrams.",
        examples: ["netlab udp server --port 0"],
        subcommands: [server, client])

    static let server = Command(
        "server", summary: "Answer each UDP datagram with the chosen reply.",
        discussion: """
            The first line on stdout says where the server listens; datagrams and errors are logged on stderr.
            Replies: timestamp is '[ctime] data', echo sends the data back, upper in capitals, hello answers 'Hello, X!'.
            A datagram's source can be forged, so the server never answers its own port or ports below 1024, and
            answers one sender at most --max-replies times a second: no datagram can start a reply loop.
            """,
        options: [
            .key(.host), .key(.port), .key(.reply), .key(.quiet.with(help: "do not log each datagram on stderr")),
            .key(.answerLowPorts), .key(.maxReplies), .key(.unix),
        ],
        examples: ["netlab udp server --port 0 --reply hello", "netlab udp server --unix /tmp/netlab-udp.sock"],
        action: { invocation in
            let endpoint = try UnixSocketOption.endpoint(invocation)
            let server = try UDPServer(
                at: endpoint, reply: invocation[.reply], console: invocation.console,
                logsDatagrams: !invocation[.quiet], answersLowPorts: invocation[.answerLowPorts],
                repliesPerSecond: invocation[.maxReplies])
            ServerOptions.announce(
                try server.localAddress, transport: UnixSocketOption.transport(endpoint, "udp"), invocation: invocation)
            try await server.run()
            return 0
        })

    static let client = Command(
        "client", summary: "Send each line of input as a UDP datagram and print each reply.",
        discussion: """
            UDP never says when nobody listens, so each datagram waits --timeout seconds for a reply
            and is sent again up to --retries times. An empty line or the end of input quits.
            """,
        options: [
            .key(.serverHost), .key(.serverPort),
            .key(.timeout.with(default: .seconds(1), help: "how long to wait for each reply before sending again")),
            .key(.retries), .key(.unix),
        ],
        examples: ["echo hello | netlab udp client --port 21567 --timeout 0.5"],
        action: { invocation in
            try await UDPClient(
                to: try UnixSocketOption.endpoint(invocation), timeout: invocation[.timeout],
                retries: invocation[.retries], console: invocation.console
            ).run()
        })
}

extension OptionKey where Value == Int {
    /// `netlab udp client --retries`.
    static var retries: Self {
        .integer("retries", "N", in: 0...100, default: 2, help: "times to send again when no reply comes")
    }
}
