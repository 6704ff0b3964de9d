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
        options: [
            Option(
                "host", "HOST", default: "127.0.0.1", help: "address to listen on; 0.0.0.0 or :: for every interface"),
            Option(
                "port", "PORT", kind: .port, default: "daytime service", help: "port to listen on; 0 picks a free one"),
            Option(
                "protocol", "PROTO", kind: .choice(["both", "udp", "tcp"]), default: "both", help: "udp, tcp or both"),
        ] + DatagramOptions.options,
        examples: ["netlab daytime server --port 0 --protocol udp"],
        action: { invocation in
            let console = invocation.console
            let choice = invocation.string("protocol")!
            let serveUDP = choice != "tcp"
            let serveTCP = choice != "udp"
            let host = invocation.string("host")!
            let makeServer = { (port: Int) in
                try DaytimeServer(
                    host: host, port: port, udp: serveUDP, tcp: serveTCP, console: console,
                    answersLowPorts: DatagramOptions.answersLowPorts(invocation),
                    repliesPerSecond: DatagramOptions.repliesPerSecond(invocation))
            }
            var server: DaytimeServer
            if invocation.isGiven("port") {
                server = try makeServer(invocation.int("port"))
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
            Option("host", "HOST", default: "127.0.0.1", help: "server's name or address"),
            Option("port", "PORT", kind: .port, default: "daytime service", help: "server's port"),
            Option("protocol", "PROTO", kind: .choice(["udp", "tcp"]), default: "udp", help: "udp or tcp"),
            Option("timeout", "SECONDS", kind: .seconds, default: "1", help: "how long to wait for the answer"),
        ],
        examples: ["netlab daytime client --protocol tcp"],
        action: { invocation in
            let console = invocation.console
            let transport: SocketError.Transport = invocation.string("protocol") == "tcp" ? .tcp : .udp
            let host = invocation.string("host")!
            let timeout = invocation.duration("timeout")
            if invocation.isGiven("port") {
                console.out(
                    try await DaytimeClient(
                        host: host, port: invocation.int("port"), transport: transport, timeout: timeout
                    )
                    .query())
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
