import Synchronization

/// The common ways to get a ready socket: a listening server, a connected client, a bound UDP socket.
extension Socket {
    /// socket, bind and listen in one step: a TCP listener on `host` and `port` (0 picks a free port).
    public static func listening(host: String, port: Int, backlog: Int = 4096) throws -> Socket {
        let address = try resolve(host: host, port: port, kind: .tcp, passive: true)[0]
        let socket = try Socket(.tcp, family: address.family)
        try socket.bind(to: address)
        try socket.listen(backlog: backlog)
        return socket
    }

    /// socket and bind for UDP: a datagram socket on `host` and `port` (0 picks a free port).
    public static func boundUDP(host: String, port: Int) throws -> Socket {
        let address = try resolve(host: host, port: port, kind: .udp, passive: true)[0]
        let socket = try Socket(.udp, family: address.family)
        try socket.bind(to: address)
        return socket
    }

    /// socket, bind and listen on a Unix socket file (a stream socket, the TCP lesson on one machine).
    /// A stale file left by a stopped server is replaced; a live server's socket or any other file is refused.
    public static func listening(unixPath path: String, backlog: Int = 4096) throws -> Socket {
        let address = try SocketAddress(unixPath: path)
        try claimUnixPath(address, kind: .tcp)
        let socket = try Socket(.tcp, family: .unix)
        try socket.bind(to: address)
        try socket.listen(backlog: backlog)
        return socket
    }

    /// socket and bind on a Unix socket file for datagrams (the UDP lesson on one machine).
    public static func boundDatagram(unixPath path: String) throws -> Socket {
        let address = try SocketAddress(unixPath: path)
        try claimUnixPath(address, kind: .udp)
        let socket = try Socket(.udp, family: .unix)
        try socket.bind(to: address)
        return socket
    }

    /// socket and connect to a Unix socket file.
    public static func connected(
        unixPath path: String, kind: Kind = .tcp, timeout: Duration? = .seconds(5),
        loop: EventLoop = EventLoopGroup.shared.next()
    ) async throws -> Socket {
        let address = try SocketAddress(unixPath: path)
        let socket = try Socket(kind, family: .unix, loop: loop)
        do {
            if kind == .udp {
                // A datagram from an unnamed Unix socket cannot be answered: the client needs a path of its own.
                let own = "/tmp/netlab-client-\(Syscalls.processID)-\(UInt32.random(in: .min ... .max)).sock"
                try socket.bind(to: try SocketAddress(unixPath: own))
            }
            try await socket.connect(to: address, timeout: timeout)
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// socket and connect: tries each address of `host` in turn, each for at most `timeout`.
    public static func connected(
        host: String, port: Int, kind: Kind = .tcp, timeout: Duration? = .seconds(5),
        loop: EventLoop = EventLoopGroup.shared.next()
    ) async throws -> Socket {
        var lastError: any Error = SocketError.unknownHost(host: host, reason: "no address")
        for address in try resolve(host: host, port: port, kind: kind, passive: false) {
            let socket = try Socket(kind, family: address.family, loop: loop)
            do {
                try await socket.connect(to: address, timeout: timeout)
                return socket
            } catch {
                socket.close()
                lastError = error
            }
        }
        throw lastError
    }

    /// The addresses of a host name or numeric address (getaddrinfo(3)), after checking the port.
    public static func resolve(host: String, port: Int, kind: Kind, passive: Bool) throws -> [SocketAddress] {
        // `[::1]`, as netlab prints an IPv6 address with its port, names the address `::1`.
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return try Syscalls.resolve(host: bare, port: port, type: kind.socketType, passive: passive)
    }

    /// The port of a named service from the services database (getservbyname(3)), if it is listed.
    public static func servicePort(_ name: String, transport: SocketError.Transport) -> Int? {
        Syscalls.servicePort(name: name, transport: transport == .tcp ? "tcp" : "udp")
    }

    /// Ignores SIGPIPE for the process, as the first socket does: a closed pipe or socket is then an error, not death.
    public static func ignoreBrokenPipes() {
        Syscalls.ignoreSIGPIPE()
    }

    /// Lets this process open as many sockets as its hard limit allows (the same raise `accept` relies
    /// on, done once); returns the limit then in force.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        openFileLimit
    }
}

extension Socket {
    /// Closes a connection whose peer may still be sending, after its last reply has had time to arrive.
    ///
    /// Closing a socket with unread input makes the kernel answer with a reset, and a reset can destroy
    /// the reply (say, an error line) before the peer reads it. So: shut the write side, read and throw
    /// away what still comes until the peer closes, `timeout` passes or `limit` bytes were discarded,
    /// then close. Web servers call this a lingering close.
    public func closeAfterDraining(timeout: Duration = .seconds(2), limit: Int = 1 << 22) async {
        shutdownWrite()
        let deadline = ContinuousClock.now + timeout
        var discarded = 0
        var scratch: [UInt8] = []
        while discarded < limit {
            scratch.removeAll(keepingCapacity: true)
            guard let count = try? await receive(appendingTo: &scratch, deadline: deadline), count > 0 else { break }
            discarded += count
        }
        close()
    }
}

extension Socket {
    /// After a failed accept: log it, at most once a second so a flood of clients cannot flood the log,
    /// then breathe when the cause may last (out of descriptors). A client turned away needs no pause.
    public static func recover(afterFailedAccept error: SocketError, logTo log: any LogSink) async throws {
        let now = ContinuousClock.now
        let logs = lastAcceptFailureLog.withLock { last in
            guard last.map({ now - $0 >= .seconds(1) }) ?? true else { return false }
            last = now
            return true
        }
        if logs { log.log("accept: \(error)") }
        if case .atCapacity = error { return }
        try await Task.sleep(for: .milliseconds(100))
    }

    private static let lastAcceptFailureLog = Mutex<ContinuousClock.Instant?>(nil)
}
