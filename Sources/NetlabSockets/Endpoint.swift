/// Where a server listens or a client connects: a host and port, or a Unix socket's path on this machine.
public enum Endpoint: Sendable, CustomStringConvertible {
    case inet(host: String, port: Int)
    /// A Unix domain socket (AF_UNIX): a file that stands for the socket, reachable only from this machine.
    case unix(path: String)

    /// `127.0.0.1:21567`, `[::1]:21567`, or the socket's path.
    public var description: String {
        switch self {
        case .inet(let host, let port): SocketAddress.format(host: host, port: port)
        case .unix(let path): path
        }
    }
}

extension Socket {
    /// socket, bind and listen: a stream listener at `endpoint` (TCP, or a Unix stream socket).
    public static func listening(at endpoint: Endpoint) throws -> Socket {
        switch endpoint {
        case .inet(let host, let port): try listening(host: host, port: port)
        case .unix(let path): try listening(unixPath: path)
        }
    }

    /// socket and bind: a datagram socket at `endpoint` (UDP, or a Unix datagram socket).
    public static func boundDatagram(at endpoint: Endpoint) throws -> Socket {
        switch endpoint {
        case .inet(let host, let port): try boundUDP(host: host, port: port)
        case .unix(let path): try boundDatagram(unixPath: path)
        }
    }

    /// socket and connect to `endpoint`: a stream (`.tcp`) or datagram (`.udp`) socket.
    public static func connected(to endpoint: Endpoint, kind: Kind, timeout: Duration?) async throws -> Socket {
        switch endpoint {
        case .inet(let host, let port): try await connected(host: host, port: port, kind: kind, timeout: timeout)
        case .unix(let path): try await connected(unixPath: path, kind: kind, timeout: timeout)
        }
    }
}
