import Glibc
import NetlabSockets
import NetlabTopics

/// The options every server shares: --host, --port, and for the course servers --reply.
enum ServerOptions {
    static let defaultPort = 21567

    static func options(reply: Bool, defaultPort: String = "21567", logs: String = "each connection") -> [Option] {
        var options = [
            Option(
                "host", "HOST", default: "127.0.0.1", help: "address to listen on; 0.0.0.0 or :: for every interface"),
            Option("port", "PORT", kind: .port, default: defaultPort, help: "port to listen on; 0 picks a free one"),
        ]
        if reply {
            options.append(
                Option(
                    "reply", "MODE", kind: .choice(ReplyMode.allCases.map(\.rawValue)), default: "timestamp",
                    help: "timestamp, echo, upper or hello"))
        }
        options.append(.flag("quiet", help: "do not log \(logs) on stderr"))
        return options
    }

    /// Prints the `listening on` line, and warns when the server is reachable from other machines.
    /// A server listening on two transports warns once: `warns` is false for the second.
    static func announce(_ address: SocketAddress, transport: String, invocation: Invocation, warns: Bool = true) {
        invocation.console.out("listening on \(address) (\(transport))")
        let host = invocation.string("host") ?? ""
        if warns, host == "0.0.0.0" || host == "::" {
            invocation.console.err(
                "warning: listening on every interface: other machines on your network can connect")
        }
    }
}

/// `--unix PATH`: a Unix domain socket file in place of --host and --port, for the TCP and UDP lessons on one machine.
enum UnixSocketOption {
    static let option = Option(
        "unix", "PATH", help: "a Unix domain socket file to use instead of --host and --port, such as /tmp/netlab.sock")

    /// Where a command listens or connects: `--unix PATH`, or `--host` and `--port`.
    static func endpoint(_ invocation: Invocation) throws -> Endpoint {
        guard let path = invocation.string("unix") else {
            return .inet(host: invocation.string("host")!, port: invocation.int("port"))
        }
        if invocation.isGiven("host") || invocation.isGiven("port") {
            throw UsageError(
                command: invocation.commandPath,
                "--unix names a socket file, which has no host or port — give --unix, or --host and --port, not both")
        }
        return .unix(path: path)
    }

    /// How a server's first line names its transport: `tcp`, or `unix stream` for a Unix socket.
    static func transport(_ endpoint: Endpoint, _ inet: String) -> String {
        guard case .unix = endpoint else { return inet }
        return inet == "udp" ? "unix datagram" : "unix stream"
    }
}

/// The options of every server that answers datagrams: what keeps a forged datagram from starting a reply loop.
enum DatagramOptions {
    static let options: [Option] = [
        .flag(
            "answer-low-ports",
            help: "also answer senders on ports below 1024 (never echo 7, daytime 13, chargen 19, time 37)"),
        Option(
            "max-replies", "N", kind: .integer(0...1_000_000), default: "\(DatagramReplyGuard.defaultRepliesPerSecond)",
            help: "most replies per second to one sender; 0 for no limit"),
    ]

    static func answersLowPorts(_ invocation: Invocation) -> Bool { invocation.flag("answer-low-ports") }
    static func repliesPerSecond(_ invocation: Invocation) -> Int { invocation.int("max-replies") }
}

/// The options every client shares: --host, --port, --timeout.
enum ClientOptions {
    static func options(
        defaultPort: String = "21567", timeout: String = "5",
        timeoutHelp: String = "how long to wait to connect and for each reply"
    ) -> [Option] {
        [
            Option("host", "HOST", default: "127.0.0.1", help: "server's name or address"),
            Option("port", "PORT", kind: .serverPort, default: defaultPort, help: "server's port"),
            Option("timeout", "SECONDS", kind: .seconds, default: timeout, help: timeoutHelp),
        ]
    }
}
