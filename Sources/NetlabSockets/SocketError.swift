import Glibc

/// What went wrong with a socket, in words a student can act on.
///
/// Each `description` is one sentence: what happened (the C name), the likely cause, and the fix.
public enum SocketError: Error, Equatable, CustomStringConvertible {
    /// bind(2) failed with EADDRINUSE.
    case addressInUse(host: String, port: Int)
    /// bind(2) failed with EACCES on a port below 1024.
    case privilegedPort(port: Int)
    /// bind(2) failed with EADDRNOTAVAIL: the address is not one of this machine's.
    case addressNotAvailable(host: String)
    /// connect(2) or a UDP send failed with ECONNREFUSED.
    case connectionRefused(host: String, port: Int, transport: Transport)
    /// The peer reset the connection (ECONNRESET).
    case connectionReset(peer: String)
    /// A connect or a reply took longer than the caller allowed (ETIMEDOUT).
    case timedOut(operation: String, peer: String, seconds: Double)
    /// No route to the host or its network (EHOSTUNREACH, ENETUNREACH).
    case hostUnreachable(host: String, code: Int32)
    /// getaddrinfo(3) could not turn a name into an address.
    case unknownHost(host: String, reason: String)
    /// A UDP request got no answer after every retry.
    case noReply(peer: String, tries: Int, timeout: Double)
    /// The peer closed the connection while we were sending (EPIPE).
    case peerClosed(peer: String)
    /// Too many open files (EMFILE, ENFILE).
    case tooManyOpenFiles(code: Int32)
    /// A listener turned a client away: the process is near its limit of open descriptors.
    case atCapacity(peer: String, limit: Int)
    /// Any other failure of a socket call, with its name and errno.
    case system(call: String, code: Int32)
    /// A Unix socket path that cannot name a socket: empty, too long, or with a NUL byte.
    case badUnixPath(path: String, limit: Int)
    /// A live server already listens on the Unix socket path.
    case unixPathInUse(path: String)
    /// The Unix socket path names something that is not a socket, which netlab never replaces.
    case unixPathNotSocket(path: String)
    /// Nothing listens on a Unix socket path: no file there (ENOENT), or a file left by a stopped server.
    case unixNothingListening(path: String, code: Int32)
    /// A second task waited to read (or write) a socket another task already waits on: a bug in netlab.
    case concurrentWait(direction: String)

    /// The transport a message talks about.
    public enum Transport: String, Sendable {
        case tcp = "TCP"
        case udp = "UDP"
    }

    /// What a failed connect(2) means for a student, from its errno.
    package static func connecting(to address: SocketAddress, transport: Transport, code: Int32) -> SocketError {
        if let path = address.unixPath, [ECONNREFUSED, ENOENT].contains(code) {
            return .unixNothingListening(path: path, code: code)
        }
        return switch code {
        case ECONNREFUSED: .connectionRefused(host: address.host, port: address.port, transport: transport)
        case ETIMEDOUT: .timedOut(operation: "connecting to", peer: address.description, seconds: 0)
        case EHOSTUNREACH, ENETUNREACH, EHOSTDOWN: .hostUnreachable(host: address.host, code: code)
        default: .system(call: "connect", code: code)
        }
    }

    public var description: String {
        switch self {
        case .addressInUse(let host, let port):
            "port \(port) is already in use on \(host) (EADDRINUSE) — another server is still running; "
                + "stop it, pick another --port, or pass --port 0 for a free one"
        case .privilegedPort(let port):
            "port \(port) is below 1024 and needs root (EACCES) — use a port from 1024 up, such as --port 21567"
        case .addressNotAvailable(let host):
            "\(host) is not an address of this machine (EADDRNOTAVAIL) — use --host 127.0.0.1, or 0.0.0.0 for every interface"
        case .connectionRefused(let host, let port, let transport):
            switch transport {
            case .tcp:
                "nothing is listening on \(SocketAddress.format(host: host, port: port)) (ECONNREFUSED) — "
                    + "start the server first, or check --host and --port"
            case .udp:
                "nothing is listening on \(SocketAddress.format(host: host, port: port)) (UDP, ECONNREFUSED) — "
                    + "start the server first, or check --host and --port"
            }
        case .connectionReset(let peer):
            "\(peer) reset the connection (ECONNRESET) — the other program crashed or closed without reading; "
                + "check its output and try again"
        case .timedOut(let operation, let peer, let seconds):
            "\(operation) \(peer) timed out after \(Self.format(seconds: seconds)) (ETIMEDOUT) — "
                + "is the server running and reachable? raise --timeout if it is just slow"
        case .hostUnreachable(let host, let code):
            "no route to \(host) (\(Errno.name(code))) — check the address and your network connection"
        case .unknownHost(let host, let reason):
            "cannot find host '\(host)' (\(reason)) — check the spelling, or use an address such as 127.0.0.1"
        case .noReply(let peer, let tries, let timeout):
            "no reply from \(peer) after \(tries) \(tries == 1 ? "try" : "tries") of \(Self.format(seconds: timeout)) (UDP) — "
                + "is the server running? UDP does not tell a sender when nobody listens"
        case .peerClosed(let peer):
            "\(peer) closed the connection (EPIPE) — the other side stopped reading; reconnect and try again"
        case .tooManyOpenFiles(let code):
            "too many open files (\(Errno.name(code))) — raise the limit with 'ulimit -n' or open fewer connections"
        case .atCapacity(let peer, let limit):
            "turned away \(peer): this process may open \(limit) descriptors ('ulimit -n') and nearly all are in use — "
                + "raise the limit with 'ulimit -n' before starting the server to hold more clients"
        case .system(let call, let code):
            "\(call) failed (\(Errno.name(code)): \(Errno.message(code)))"
        case .badUnixPath(let path, let limit):
            path.utf8.count > limit
                ? "the socket path '\(path)' is \(path.utf8.count) bytes, but a Unix socket's path holds at most \(limit) — "
                    + "choose a shorter --unix path, such as /tmp/netlab.sock"
                : "'\(path)' cannot name a Unix socket — give a file path such as /tmp/netlab.sock"
        case .unixPathInUse(let path):
            "a server is already listening on \(path) (EADDRINUSE) — stop it, or choose another --unix path"
        case .unixPathNotSocket(let path):
            "\(path) exists and is not a socket — netlab leaves it untouched; remove it yourself or choose another --unix path"
        case .unixNothingListening(let path, let code):
            code == ENOENT
                ? "no socket at \(path) (ENOENT) — start the server first, or check --unix"
                : "nothing is listening on \(path) (ECONNREFUSED) — its server has stopped; start it again, or check --unix"
        case .concurrentWait(let direction):
            "two tasks waited to \(direction) one socket at once, which netlab never does — please report this bug"
        }
    }

    /// Seconds as a student writes them: `1 s`, `0.5 s`.
    package static func format(seconds: Double) -> String {
        if seconds == seconds.rounded() { return "\(Int(seconds)) s" }
        return "\(seconds) s"
    }
}
