import NetlabSockets
import NetlabTopics

/// `netlab daytime server` and `netlab daytime client` (RFC 867; seed 001 exercise 16-6).
enum DaytimeCommand {
    /// Where netlab serves daytime when port 13 needs root: 13, moved above 1024.
    static let unprivilegedPort = 10013

    static let command = Command(
        "daytime", summary: "RFC 867 daytime over UDP and TCP, on the port getservbyname(\"daytime\") gives.",
        examples: ["netlab daytime server --port 0"],
        subcommands: [server, client])

    static let server = Command(
        "server", summary: "Tell the time to anyone who asks, over UDP and TCP (RFC 867).",
        discussion: """
            Without --port the port comes from the services database (getservbyname("daytime"), normally 13).
            Ports below 1024 need root, so without root the server moves to \(unprivilegedPort), says so,
            and 'netlab daytime client' looks there too. Over UDP the server never answers its own port or ports
            below 1024, and one sender at most --max-replies times a second, so no forged datagram starts a loop.
            """,
        options: [.key(.host), .key(.daytimePort), .key(.daytimeTransports), .key(.answerLowPorts), .key(.maxReplies)],
        examples: ["netlab daytime server --port 0 --protocol udp"],
        action: { invocation in
            let console = invocation.console
            let choice = invocation[.daytimeTransports]
            let serveUDP = choice != .tcp
            let serveTCP = choice != .udp
            let host = invocation[.host]
            let makeServer = { (port: Int) in
                try DaytimeServer(
                    host: host, port: port, udp: serveUDP, tcp: serveTCP, console: console,
                    answersLowPorts: invocation[.answerLowPorts], repliesPerSecond: invocation[.maxReplies])
            }
            var server: DaytimeServer
            if let port = invocation[.daytimePort] {
                server = try makeServer(port)
            } else {
                let port = servicePort(serveUDP ? .udp : .tcp, console: console)
                do {
                    server = try makeServer(port)
                } catch SocketError.privilegedPort {
                    console.err(
                        "port \(port) needs root (EACCES) — serving daytime on \(unprivilegedPort) instead; "
                            + "'netlab daytime client' looks there too, other clients need port \(unprivilegedPort)")
                    server = try makeServer(unprivilegedPort)
                }
            }
            for (index, (address, transport)) in try server.localAddresses.enumerated() {
                ServerOptions.announce(address, transport: transport, invocation: invocation, warns: index == 0)
            }
            try await server.run()
            return 0
        })

    static let client = Command(
        "client", summary: "Ask a daytime server for the time and print it (RFC 867).",
        discussion: """
            Without --port the port comes from getservbyname("daytime"); when nothing answers there,
            the client tries \(unprivilegedPort), where a netlab server without root serves.
            """,
        options: [
            .key(.serverHost),
            .key(
                .daytimePort.with(
                    help:
                        "server's port; without it, the daytime port (getservbyname, normally 13), then \(unprivilegedPort)"
                )), .key(.daytimeTransport),
            .key(.timeout.with(default: .seconds(1), help: "how long to wait for the answer")),
        ],
        examples: ["netlab daytime client --protocol tcp"],
        action: { invocation in
            let console = invocation.console
            let transport: SocketError.Transport = invocation[.daytimeTransport] == .tcp ? .tcp : .udp
            let host = invocation[.host]
            let timeout = invocation[.timeout]
            if let port = invocation[.daytimePort] {
                console.out(
                    try await DaytimeClient(host: host, port: port, transport: transport, timeout: timeout).query())
                return 0
            }
            let port = servicePort(transport, console: console)
            do {
                console.out(
                    try await DaytimeClient(host: host, port: port, transport: transport, timeout: timeout).query())
            } catch let error as SocketError where port != unprivilegedPort && isNobodyThere(error) {
                console.err(
                    "nothing answered on port \(port); trying netlab's unprivileged daytime port \(unprivilegedPort)")
                console.out(
                    try await DaytimeClient(host: host, port: unprivilegedPort, transport: transport, timeout: timeout)
                        .query())
            }
            return 0
        })

    /// The daytime port from the services database, or RFC 867's 13 with a note when it is not listed.
    static func servicePort(_ transport: SocketError.Transport, console: Console) -> Int {
        if let port = Socket.servicePort("daytime", transport: transport) { return port }
        console.err("the services database (/etc/services) has no 'daytime' entry; using RFC 867's port 13")
        return 13
    }

    private static func isNobodyThere(_ error: SocketError) -> Bool {
        switch error {
        case .connectionRefused, .noReply: true
        default: false
        }
    }
}

/// The daytime server's `--protocol`: which transports it serves.
enum DaytimeTransports: String, CaseIterable, Sendable {
    case both, udp, tcp
}

/// The daytime client's `--protocol`.
enum DaytimeTransport: String, CaseIterable, Sendable {
    case udp, tcp
}

extension OptionKey where Value == Int? {
    /// The daytime server's `--port`: none by default, since the port comes from the services database.
    static var daytimePort: Self {
        .port(
            "port",
            help: "port to listen on; 0 picks a free one; without it, the daytime port (getservbyname, normally 13), "
                + "or \(DaytimeCommand.unprivilegedPort) without root")
    }
}

extension OptionKey where Value == DaytimeTransports {
    /// `netlab daytime server --protocol`.
    static var daytimeTransports: Self { .choice("protocol", "PROTO", default: .both, help: "udp, tcp or both") }
}

extension OptionKey where Value == DaytimeTransport {
    /// `netlab daytime client --protocol`.
    static var daytimeTransport: Self { .choice("protocol", "PROTO", default: .udp, help: "udp or tcp") }
}
