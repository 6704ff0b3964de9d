import Glibc
import NetlabSockets
import NetlabTopics

// The options many commands share, each declared once. A server's --host and --port say where it listens;
// a client's (`.serverHost`, `.serverPort`) name the server, under the same names, so code that serves
// both (`UnixSocketOption.endpoint`) reads `invocation[.host]` and `invocation[.port]` for either.

extension OptionKey where Value == String {
    /// A server's `--host`: where it listens.
    static var host: Self {
        .text("host", "HOST", default: "127.0.0.1", help: "address to listen on; 0.0.0.0 or :: for every interface")
    }

    /// A client's `--host`: the server it talks to.
    static var serverHost: Self { .text("host", "HOST", default: "127.0.0.1", help: "server's name or address") }
}

extension OptionKey where Value == Int {
    /// A server's `--port`: where it listens, 21567 as in the course.
    static var port: Self {
        .port("port", default: ServerOptions.defaultPort, help: "port to listen on; 0 picks a free one")
    }

    /// A client's `--port`: the server's, which cannot be 0.
    static var serverPort: Self {
        .port("port", kind: .serverPort, default: ServerOptions.defaultPort, help: "server's port")
    }

    /// `--max-replies`: what keeps a forged datagram from starting a reply loop.
    static var maxReplies: Self {
        .integer(
            "max-replies", "N", in: 0...1_000_000, default: DatagramReplyGuard.defaultRepliesPerSecond,
            help: "most replies per second to one sender; 0 for no limit")
    }
}

extension OptionKey where Value == Duration {
    /// A client's `--timeout`.
    static var timeout: Self {
        .seconds("timeout", default: .seconds(5), help: "how long to wait to connect and for each reply")
    }
}

extension OptionKey where Value == Bool {
    /// A server's `--quiet`.
    static var quiet: Self { .flag("quiet", help: "do not log each connection on stderr") }

    /// `--json` wherever output is data.
    static var json: Self { .flag("json", help: "print the result as JSON") }

    /// `--answer-low-ports`, on every server that answers datagrams.
    static var answerLowPorts: Self {
        .flag(
            "answer-low-ports",
            help: "also answer senders on ports below 1024 (never echo 7, daytime 13, chargen 19, time 37)")
    }
}

extension OptionKey where Value == String? {
    /// `--unix PATH`: a Unix domain socket file in place of --host and --port, for the TCP and UDP lessons
    /// on one machine.
    static var unix: Self {
        .text(
            "unix", "PATH", kind: .file,
            help: "a Unix domain socket file to use instead of --host and --port, such as /tmp/netlab.sock")
    }
}

extension OptionKey where Value == ReplyMode {
    /// The course servers' `--reply`.
    static var reply: Self { .choice("reply", "MODE", default: .timestamp, help: "timestamp, echo, upper or hello") }
}

extension OptionKey where Value == TCPClient.LineEnd {
    /// `--eol`: what follows each line a TCP client sends.
    static var lineEnd: Self {
        .choice(
            "eol", "END", default: .none,
            help: "what follows each line sent: none (as the course's clients), lf or crlf")
    }
}

/// What every server shares: its default port and its first line.
enum ServerOptions {
    static let defaultPort = 21567

    /// Prints the `listening on` line, and warns when the server is reachable from other machines.
    /// A server listening on two transports warns once: `warns` is false for the second.
    static func announce(_ address: SocketAddress, transport: String, invocation: Invocation, warns: Bool = true) {
        invocation.console.out("listening on \(address) (\(transport))")
        let host = invocation[.host]
        if warns, host == "0.0.0.0" || host == "::" {
            invocation.console.err(
                "warning: listening on every interface: other machines on your network can connect")
        }
    }
}

/// `--unix PATH`, for the TCP and UDP lessons on one machine.
enum UnixSocketOption {
    /// Where a command listens or connects: `--unix PATH`, or `--host` and `--port`.
    static func endpoint(_ invocation: Invocation) throws -> Endpoint {
        guard let path = invocation[.unix] else {
            return .inet(host: invocation[.host], port: invocation[.port])
        }
        if invocation.isGiven(.host) || invocation.isGiven(.port) {
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
