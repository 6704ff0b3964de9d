import CNetlabLinux
import Glibc
import Synchronization

/// A TCP or UDP socket whose waits are `await`s on an `EventLoop`.
///
/// The methods are the lesson's steps: `init` is socket(2), then `bind`, `listen` and `accept` for a
/// server, or `connect` for a client, then `receive` and `send`, then `close`.
/// See lessons/03-tcp-sockets.md and lessons/04-udp-sockets.md.
public final class Socket: @unchecked Sendable {
    // @unchecked Sendable: `fd` is immutable and closed exactly once, by whoever leaves it unused after
    // `close()` (the atomic `usage`); the kernel serialises concurrent calls on one descriptor.

    /// TCP (a byte stream, SOCK_STREAM) or UDP (datagrams, SOCK_DGRAM).
    public enum Kind: Sendable {
        case tcp, udp

        var socketType: Int32 { self == .tcp ? Syscalls.streamType : Syscalls.datagramType }
        var transport: SocketError.Transport { self == .tcp ? .tcp : .udp }
    }

    /// The largest UDP payload: any datagram fits in one receive.
    public static let maxDatagram = 65_535

    public let kind: Kind
    public let family: SocketAddress.Family
    /// The loop whose thread is told when this socket is ready.
    public let loop: EventLoop
    private let fd: Int32
    /// Bit 0: `close()` was called. Above it: the operations using `fd` right now, counted in twos.
    /// The kernel gives a closed descriptor's number to the next socket or pipe at once, so `fd` is
    /// closed only when no operation holds it: a task still in recv() or waiting on the loop can then
    /// never read, write or wait on someone else's descriptor (another grade's datagram, another chat
    /// client's message, the loop's registration of a newer socket).
    private let usage = Atomic<Int>(0)
    /// The read event count seen before the last TCP receive that emptied the kernel's queue (a short read).
    /// Until another read event arrives, a receive would only get EAGAIN, so it waits at once: unless the
    /// peer has closed, whose end of stream may have come with the data, in the same event.
    private let emptiedAtReadEvent = Atomic<UInt64>(.max)
    /// Who is at the other end, for error messages: `127.0.0.1:21567`.
    private let peerName = Mutex<String>("the peer")
    /// The Unix socket file this socket was bound to, removed when it closes.
    private let boundPath = Mutex<String?>(nil)

    /// Creates a socket (socket(2)), non-blocking and close-on-exec, watched by `loop`.
    public init(_ kind: Kind, family: SocketAddress.Family, loop: EventLoop = EventLoopGroup.shared.next()) throws {
        do {
            fd = try Syscalls.socket(family: family, type: kind.socketType)
        } catch SocketError.system(_, let code) where code == EMFILE || code == ENFILE {
            throw SocketError.tooManyOpenFiles(code: code)
        }
        self.kind = kind
        self.family = family
        self.loop = loop
        try loop.register(fd)
    }

    /// Adopts a socket that accept(2) returned.
    private init(accepted fd: Int32, family: SocketAddress.Family, peer: SocketAddress, loop: EventLoop) throws {
        self.fd = fd
        self.kind = .tcp
        self.family = family
        self.loop = loop
        peerName.withLock { $0 = peer.description }
        try loop.register(fd)  // on failure deinit still runs, and closes fd
    }

    deinit { close() }

    /// Holds `fd` open until the matching `release()`; false once the socket is closed.
    func hold() -> Bool {
        var current = usage.load(ordering: .relaxed)
        while current & 1 == 0 {
            let (exchanged, original) = usage.compareExchange(
                expected: current, desired: current + 2, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Lets go of `fd`; the last one to let go of a closed socket closes it.
    func release() {
        if usage.subtract(2, ordering: .acquiringAndReleasing).newValue == 1 { Syscalls.close(fd) }
    }

    /// The descriptor's number, for tests that look it up in /proc/self/fd.
    package var descriptorNumber: Int32 { fd }

    /// The error an operation on a closed socket gets, as close(2) would have made the call fail.
    private static func closedError(_ call: String) -> SocketError { .system(call: call, code: EBADF) }

    /// Calls `body` once, when the socket first has something to read (or its peer has gone); never if
    /// the socket is closed first. A server hands a client to a task of its own only then, so a client
    /// that has not spoken yet costs no task.
    public func whenReadable(_ body: @escaping @Sendable () -> Void) {
        guard hold() else { return }
        defer { release() }
        loop.whenReadable(fd, body)
    }

    // MARK: Server steps

    /// Binds the socket to a local address (bind(2)); TCP listeners get SO_REUSEADDR first,
    /// so a restarted server does not wait for old connections in TIME_WAIT.
    public func bind(to address: SocketAddress) throws {
        guard hold() else { throw Self.closedError("bind") }
        defer { release() }
        if kind == .tcp, family != .unix {
            try Syscalls.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
        }
        do {
            try Syscalls.bind(fd, to: address)
            if let path = address.unixPath, !path.isEmpty {
                boundPath.withLock { $0 = path }
                // The file outlives the process unless removed: on close, and on Ctrl-C or SIGTERM too.
                cnetlab_track_folder(path)
                cnetlab_install_interrupt_handler()
            }
        } catch SocketError.system(_, let code) {
            if let path = address.unixPath {
                switch code {
                case EADDRINUSE: throw SocketError.unixPathInUse(path: path)
                case EACCES: throw SocketError.system(call: "bind \(path)", code: code)
                default: throw SocketError.system(call: "bind", code: code)
                }
            }
            switch code {
            case EADDRINUSE: throw SocketError.addressInUse(host: address.host, port: address.port)
            case EACCES where address.port < 1024: throw SocketError.privilegedPort(port: address.port)
            case EADDRNOTAVAIL: throw SocketError.addressNotAvailable(host: address.host)
            default: throw SocketError.system(call: "bind", code: code)
            }
        }
    }

    /// Marks the socket as a listener (listen(2)); `backlog` is how many finished handshakes may wait for accept.
    public func listen(backlog: Int = 4096) throws {
        guard hold() else { throw Self.closedError("listen") }
        defer { release() }
        try Syscalls.listen(fd, backlog: Int32(backlog))
    }

    /// The soft limit of open descriptors, raised to the hard limit the first time it is asked for
    /// (by the first accept, or `raiseOpenFileLimit`).
    static let openFileLimit = Syscalls.raiseOpenFileLimit()
    /// Descriptors a listener leaves free for everything else the process opens.
    static let reservedDescriptors = 64

    /// Whether `count` more descriptors (a child's pipes, say) may be opened and still leave the
    /// runtime its reserve.
    public static func hasSpareDescriptors(_ count: Int) -> Bool {
        Syscalls.lowestFreeDescriptor() + count < openFileLimit - reservedDescriptors
    }

    /// Waits for the next client and returns its connected socket (accept(2)).
    ///
    /// The new socket is watched by the next loop of `group`, with TCP_NODELAY set: a request/reply
    /// protocol should not wait for Nagle's algorithm (lessons/03-tcp-sockets.md).
    public func accept(group: EventLoopGroup = .shared) async throws -> Socket {
        guard hold() else { throw Self.closedError("accept") }
        defer { release() }
        while true {
            let seen = loop.eventCount(fd, .read)
            let result: Syscalls.IOResult<(fd: Int32, peer: SocketAddress)>
            do {
                result = try Syscalls.accept(fd)
            } catch SocketError.system(_, let code) where code == EMFILE || code == ENFILE {
                throw SocketError.tooManyOpenFiles(code: code)
            }
            switch result {
            case .done(let accepted):
                // Descriptors are handed out lowest first, so a high one means nearly all are in use. The
                // last few are kept for the runtime: Dispatch stops the process when it cannot open a file.
                if Int(accepted.fd) >= Self.openFileLimit - Self.reservedDescriptors {
                    Syscalls.close(accepted.fd)
                    throw SocketError.atCapacity(peer: accepted.peer.description, limit: Self.openFileLimit)
                }
                let connection = try Socket(
                    accepted: accepted.fd, family: family, peer: accepted.peer, loop: group.next())
                try? connection.setNoDelay()
                return connection
            case .wouldBlock:
                try await loop.wait(fd, .read, since: seen)
            }
        }
    }

    // MARK: Client steps

    /// Connects to a server (connect(2)), waiting at most `timeout`.
    ///
    /// For UDP this only fixes the peer: the kernel then reports ECONNREFUSED when nobody listens.
    public func connect(to address: SocketAddress, timeout: Duration? = nil) async throws {
        peerName.withLock { $0 = address.description }
        guard hold() else { throw Self.closedError("connect") }
        defer { release() }
        let seen = loop.eventCount(fd, .write)
        let connected: Bool
        do {
            connected = try Syscalls.connect(fd, to: address)
        } catch SocketError.system(_, let code) {
            throw SocketError.connecting(to: address, transport: kind.transport, code: code)
        }
        if !connected {
            do {
                try await loop.wait(fd, .write, since: seen, until: timeout.map { .now + $0 })
            } catch is WaitTimeout {
                throw SocketError.timedOut(
                    operation: "connecting to", peer: address.description, seconds: timeout?.seconds ?? 0)
            }
            let code = try Syscalls.pendingError(fd)
            if code != 0 { throw SocketError.connecting(to: address, transport: kind.transport, code: code) }
        }
        if kind == .tcp { try? setNoDelay() }
    }

    // MARK: Receiving and sending

    /// Receives up to `maxBytes` bytes (recv(2)); an empty array means the peer closed its side.
    ///
    /// Throws `WaitTimeout` if nothing arrives before `deadline`.
    package func receive(maxBytes: Int = 65_536, deadline: ContinuousClock.Instant?) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        _ = try await receive(appendingTo: &bytes, maxBytes: maxBytes, deadline: deadline)
        return bytes
    }

    /// Receives up to `maxBytes` bytes (recv(2)), waiting at most `timeout`; an empty array means end of stream.
    public func receive(maxBytes: Int = 65_536, timeout: Duration? = nil) async throws -> [UInt8] {
        do {
            return try await receive(maxBytes: maxBytes, deadline: timeout.map { .now + $0 })
        } catch is WaitTimeout {
            throw SocketError.timedOut(
                operation: "waiting for a reply from", peer: peerName.withLock { $0 },
                seconds: timeout?.seconds ?? 0)
        }
    }

    /// Receives up to `maxBytes` bytes onto the end of `buffer`; returns how many came, 0 at end of stream.
    package func receive(appendingTo buffer: inout [UInt8], maxBytes: Int = 65_536, deadline: ContinuousClock.Instant?)
        async throws -> Int
    {
        guard hold() else { throw receiveError(EBADF) }
        defer { release() }
        while true {
            let (seen, peerHasClosed) = loop.readEvents(fd)
            if seen == emptiedAtReadEvent.load(ordering: .relaxed), !peerHasClosed {
                try await loop.wait(fd, .read, since: seen, until: deadline)
                continue
            }
            let result = try withUnsafeTemporaryAllocation(byteCount: maxBytes, alignment: 16) { scratch in
                let outcome: Syscalls.IOResult<Int>
                do {
                    outcome = try Syscalls.receive(fd, into: scratch)
                } catch SocketError.system(_, let code) {
                    throw receiveError(code)
                }
                if case .done(let count) = outcome, count > 0 {
                    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
                }
                return outcome
            }
            switch result {
            case .done(let count):
                // A TCP read shorter than asked for took everything queued: the next one waits for an event.
                if kind == .tcp, count > 0, count < maxBytes {
                    emptiedAtReadEvent.store(seen, ordering: .relaxed)
                }
                return count
            case .wouldBlock: try await loop.wait(fd, .read, since: seen, until: deadline)
            }
        }
    }

    private func receiveError(_ code: Int32) -> SocketError {
        switch code {
        case ECONNRESET: .connectionReset(peer: peerName.withLock { $0 })
        case ECONNREFUSED:
            .connectionRefused(
                host: remoteAddress?.host ?? "the server", port: remoteAddress?.port ?? 0, transport: kind.transport)
        case ETIMEDOUT: .timedOut(operation: "talking to", peer: peerName.withLock { $0 }, seconds: 0)
        default: .system(call: "recv", code: code)
        }
    }

    /// Sends every byte (send(2) with MSG_NOSIGNAL), waiting while the peer's window is full.
    public func send(_ bytes: [UInt8]) async throws {
        try await self.send(bytes, deadline: nil)
    }

    /// Sends every byte; throws `SocketError.timedOut` when the peer has not taken them all within
    /// `timeout` (a client that stopped reading).
    public func send(_ bytes: [UInt8], timeout: Duration) async throws {
        do {
            try await self.send(bytes, deadline: .now + timeout)
        } catch is WaitTimeout {
            throw SocketError.timedOut(
                operation: "sending to", peer: peerName.withLock { $0 }, seconds: timeout.seconds)
        }
    }

    private func send(_ bytes: [UInt8], deadline: ContinuousClock.Instant?) async throws {
        guard hold() else { throw Self.closedError("send") }
        defer { release() }
        var offset = 0
        while offset < bytes.count {
            let seen = loop.eventCount(fd, .write)
            let result: Syscalls.IOResult<Int>
            do {
                result = try bytes.withUnsafeBytes {
                    try Syscalls.send(fd, UnsafeRawBufferPointer(rebasing: $0[offset...]))
                }
            } catch SocketError.system(_, let code) {
                switch code {
                case EPIPE: throw SocketError.peerClosed(peer: peerName.withLock { $0 })
                case ECONNRESET: throw SocketError.connectionReset(peer: peerName.withLock { $0 })
                default: throw SocketError.system(call: "send", code: code)
                }
            }
            switch result {
            case .done(let count): offset += count
            case .wouldBlock: try await loop.wait(fd, .write, since: seen, until: deadline)
            }
        }
    }

    /// Sends what the kernel takes right now, without waiting (send(2) once); returns how many bytes went.
    /// For a last word to a peer that may not be reading.
    public func sendWithoutWaiting(_ bytes: [UInt8]) -> Int {
        guard hold() else { return 0 }
        defer { release() }
        let result = try? bytes.withUnsafeBytes { try Syscalls.send(fd, $0) }
        if case .done(let count) = result { return count }
        return 0
    }

    /// Sends a string as UTF-8.
    public func send(_ text: String) async throws {
        try await self.send(Array(text.utf8))
    }

    /// Receives one datagram and who sent it (recvfrom(2)). Throws `WaitTimeout` after `deadline`.
    package func receiveDatagram(deadline: ContinuousClock.Instant?) async throws -> (
        bytes: [UInt8], sender: SocketAddress
    ) {
        guard hold() else { throw receiveError(EBADF) }
        defer { release() }
        while true {
            let seen = loop.eventCount(fd, .read)
            let result = try withUnsafeTemporaryAllocation(byteCount: Self.maxDatagram + 1, alignment: 16) { scratch in
                let outcome: Syscalls.IOResult<(count: Int, sender: SocketAddress)>
                do {
                    outcome = try Syscalls.receiveFrom(fd, into: scratch)
                } catch SocketError.system(_, let code) {
                    throw receiveError(code)
                }
                return outcome.map { (Array(UnsafeRawBufferPointer(rebasing: scratch[..<$0.count])), $0.sender) }
            }
            switch result {
            case .done(let datagram): return datagram
            case .wouldBlock: try await loop.wait(fd, .read, since: seen, until: deadline)
            }
        }
    }

    /// Receives one datagram (recvfrom(2)), waiting at most `timeout`.
    public func receiveDatagram(timeout: Duration? = nil) async throws -> (bytes: [UInt8], sender: SocketAddress) {
        do {
            return try await receiveDatagram(deadline: timeout.map { .now + $0 })
        } catch is WaitTimeout {
            throw SocketError.timedOut(
                operation: "waiting for a datagram from", peer: peerName.withLock { $0 },
                seconds: timeout?.seconds ?? 0)
        }
    }

    /// Sends one datagram (sendto(2)); with no address, to the connected peer.
    public func send(_ bytes: [UInt8], to address: SocketAddress?) async throws {
        guard hold() else { throw Self.closedError("sendto") }
        defer { release() }
        while true {
            let seen = loop.eventCount(fd, .write)
            let result: Syscalls.IOResult<Int>
            do {
                result = try bytes.withUnsafeBytes { try Syscalls.send(fd, $0, to: address) }
            } catch SocketError.system(_, let code) {
                if code == ECONNREFUSED, let peer = address ?? remoteAddress {
                    throw SocketError.connectionRefused(host: peer.host, port: peer.port, transport: .udp)
                }
                if code == EMSGSIZE { throw SocketError.system(call: "sendto", code: code) }
                throw SocketError.system(call: "sendto", code: code)
            }
            switch result {
            case .done: return
            case .wouldBlock: try await loop.wait(fd, .write, since: seen)
            }
        }
    }

    /// How the other end of a TCP connection stands, as far as the kernel knows without reading.
    public enum PeerState: Sendable, Equatable {
        /// Still connected; it may send more.
        case connected
        /// Its FIN came: it sends no more, and may still read (a half-close, `nc -N`) or have left.
        case finishedSending
        /// The connection is reset or failed: nothing sent reaches it any more.
        case gone
    }

    /// The peer's state now (poll(2) without waiting); bytes not yet read do not hide a FIN.
    public var peerState: PeerState {
        guard hold() else { return .gone }
        defer { release() }
        let events = Syscalls.peerEvents(fd)
        return events.isGone ? .gone : events.finishedSending ? .finishedSending : .connected
    }

    /// Waits until the peer's state is no longer `state`, and returns the new one. Each wake-up is a
    /// read event of the socket's loop, never a timer; bytes the peer sends meanwhile stay unread.
    /// Throws `WaitTimeout` at `deadline`, `CancellationError` when cancelled. No other task may be
    /// reading the socket meanwhile.
    public func waitForPeer(toLeave state: PeerState, until deadline: ContinuousClock.Instant?) async throws
        -> PeerState
    {
        guard hold() else { return .gone }
        defer { release() }
        while true {
            let seen = loop.eventCount(fd, .read)
            let now = peerState
            if now != state { return now }
            try await loop.wait(fd, .read, since: seen, until: deadline)
        }
    }

    /// Closes the sending side (shutdown(2) SHUT_WR): the peer reads end of stream, and can still reply.
    public func shutdownWrite() {
        guard hold() else { return }
        defer { release() }
        Syscalls.shutdownWrite(fd)
    }

    /// Ends the connection in both directions (shutdown(2)) without closing the descriptor: the tasks
    /// using the socket see end of stream or a failed send, and its owner closes it. Use this, not
    /// `close`, to cut off a connection that another task is still using.
    public func disconnect() {
        guard hold() else { return }
        defer { release() }
        Syscalls.shutdownBoth(fd)
    }

    /// Resets the connection and closes the socket (SO_LINGER of 0, then close(2)): the peer gets a
    /// reset (RST), not an end of stream, as from a client that was killed with replies still unread.
    /// Its next receive fails with ECONNRESET (Python's ConnectionResetError).
    public func reset() {
        if hold() {
            Syscalls.setLingerToReset(fd)
            release()
        }
        close()
    }

    /// The inodes of the sockets listening on `port` of any local address, IPv4 and IPv6 (TCP: in state
    /// LISTEN; UDP: every socket bound to it), as the kernel's socket diagnostics list them (the way
    /// ss(8) asks); nil when the kernel cannot answer. An inode names the socket in a process's
    /// descriptors (`/proc/PID/fd`), so a caller can tell whose socket it is.
    public static func listeningInodes(port: Int, kind: Kind) -> Set<UInt64>? {
        var inodes: Set<UInt64> = []
        for family in [SocketAddress.Family.ipv4, .ipv6] {
            guard let found = Syscalls.listeningInodes(family: family, udp: kind == .udp, port: port) else {
                return nil
            }
            inodes.formUnion(found)
        }
        return inodes
    }

    /// The end of a TCP connection on 127.0.0.1 whose local port is `localPort` and remote port
    /// `remotePort`, as the kernel's socket diagnostics see it: its state (include/net/tcp_states.h) and
    /// the bytes it has received that its owner has not read. `.some(nil)` when there is no such
    /// connection (any more), nil when the kernel cannot answer. One hash lookup: cheap however many
    /// connections the machine has, unlike reading /proc/net/tcp.
    public static func loopbackTCPEnd(localPort: Int, remotePort: Int) -> (state: Int, unreadBytes: Int)?? {
        Syscalls.loopbackTCPEnd(localPort: localPort, remotePort: remotePort)
    }

    /// Whether some socket holds TCP `port` on `host`: a bind(2) without SO_REUSEADDR fails with
    /// EADDRINUSE. Unlike the kernel's tables in /proc/net, this sees a socket that is bound but does not
    /// listen; a connection in TIME_WAIT on that port holds it too.
    public static func isTCPPortTaken(host: String, port: Int) -> Bool {
        guard let address = try? resolve(host: host, port: port, kind: .tcp, passive: true).first,
            let probe = try? Socket(.tcp, family: address.family)
        else { return false }
        defer { probe.close() }
        do {
            try Syscalls.bind(probe.fd, to: address)
            return false
        } catch SocketError.system(_, let code) {
            return code == EADDRINUSE
        } catch {
            return false
        }
    }

    /// Closes the socket (close(2)); a task waiting on it is cancelled. Safe to call more than once, from
    /// any task: the descriptor itself is closed once the operations still using it have returned.
    /// Whether `close()` has been called.
    public var isClosed: Bool { usage.load(ordering: .relaxed) & 1 != 0 }

    /// Whether a task is waiting for this socket to become readable: a test acts once the wait has begun.
    var hasReadWaiter: Bool { loop.hasWaiter(fd, .read) }

    public func close() {
        // Marked closed and held in one step: `fd` stays this socket's until deregistered.
        var current = usage.load(ordering: .relaxed)
        while true {
            if current & 1 != 0 { return }
            let (exchanged, original) = usage.compareExchange(
                expected: current, desired: (current | 1) + 2, ordering: .acquiringAndReleasing)
            if exchanged { break }
            current = original
        }
        loop.deregister(fd)  // wakes the tasks waiting on it, which then let go
        release()
        if let path = boundPath.withLock({ $0 }) {
            Syscalls.removeFile(path)
            cnetlab_untrack_folder(path)
        }
    }

    /// Makes a Unix socket path free to bind: nothing there, or a socket file that no server answers on
    /// any more (left by one that was killed), which is removed. A live server's socket and anything that
    /// is not a socket are refused and left untouched.
    static func claimUnixPath(_ address: SocketAddress, kind: Kind) throws {
        guard let path = address.unixPath else { return }
        switch Syscalls.pathIsSocket(path) {
        case nil: return
        case false?: throw SocketError.unixPathNotSocket(path: path)
        case true?:
            let probe = try Socket(kind, family: .unix)
            defer { probe.close() }
            do {
                _ = try Syscalls.connect(probe.fd, to: address)
            } catch SocketError.system(_, let code) where code == ECONNREFUSED {
                Syscalls.removeFile(path)  // stale: nobody is bound to it
                return
            } catch SocketError.system(_, let code) where code == ENOENT {
                return
            } catch {
                // EAGAIN (its backlog is full) and the like: someone is there.
            }
            throw SocketError.unixPathInUse(path: path)
        }
    }

    // MARK: Options and addresses

    /// Turns off Nagle's algorithm (TCP_NODELAY): small replies leave at once.
    public func setNoDelay() throws {
        guard hold() else { throw Self.closedError("setsockopt") }
        defer { release() }
        try Syscalls.setNoDelay(fd)
    }

    /// Turns on TCP keepalive (SO_KEEPALIVE): after `idle` without traffic the kernel probes the peer
    /// every `interval` (TCP_KEEPIDLE, TCP_KEEPINTVL), and after `count` unanswered probes
    /// (TCP_KEEPCNT) it ends the connection, so a peer that vanished (a laptop closed, a cable
    /// pulled) is noticed instead of being waited for forever.
    public func setKeepAlive(idle: Duration, interval: Duration, count: Int) throws {
        guard hold() else { throw Self.closedError("setsockopt") }
        defer { release() }
        try Syscalls.setOption(fd, level: SOL_SOCKET, name: SO_KEEPALIVE, value: 1)
        let tcp = Int32(IPPROTO_TCP)
        try Syscalls.setOption(fd, level: tcp, name: TCP_KEEPIDLE, value: Int32(max(1, idle.components.seconds)))
        try Syscalls.setOption(
            fd, level: tcp, name: TCP_KEEPINTVL, value: Int32(max(1, interval.components.seconds)))
        try Syscalls.setOption(fd, level: tcp, name: TCP_KEEPCNT, value: Int32(count))
    }

    /// The keepalive settings (getsockopt(2) of SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT);
    /// nil when keepalive is off.
    public func keepAlive() throws -> (idle: Duration, interval: Duration, count: Int)? {
        guard hold() else { throw Self.closedError("getsockopt") }
        defer { release() }
        guard try Syscalls.option(fd, level: SOL_SOCKET, name: SO_KEEPALIVE) != 0 else { return nil }
        let tcp = Int32(IPPROTO_TCP)
        return (
            .seconds(try Syscalls.option(fd, level: tcp, name: TCP_KEEPIDLE)),
            .seconds(try Syscalls.option(fd, level: tcp, name: TCP_KEEPINTVL)),
            Int(try Syscalls.option(fd, level: tcp, name: TCP_KEEPCNT))
        )
    }

    /// Asks the kernel for a receive buffer of about `bytes` (SO_RCVBUF): a small one shows back-pressure sooner.
    public func setReceiveBufferSize(_ bytes: Int) throws {
        guard hold() else { throw Self.closedError("setsockopt") }
        defer { release() }
        try Syscalls.setOption(fd, level: SOL_SOCKET, name: SO_RCVBUF, value: Int32(bytes))
    }

    /// Lets a UDP socket send to a broadcast address (SO_BROADCAST).
    public func setBroadcast() throws {
        guard hold() else { throw Self.closedError("setsockopt") }
        defer { release() }
        try Syscalls.setOption(fd, level: SOL_SOCKET, name: SO_BROADCAST, value: 1)
    }

    /// The local address and port (getsockname(2)): after binding port 0, the port the kernel picked.
    public var localAddress: SocketAddress {
        get throws {
            guard hold() else { throw Self.closedError("getsockname") }
            defer { release() }
            return try Syscalls.localAddress(of: fd)
        }
    }

    /// Who is at the other end, as accept(2) or connect named it: still known after the peer has reset
    /// the connection, when getpeername(2) fails.
    public var peerDescription: String { peerName.withLock { $0 } }

    /// The connected peer (getpeername(2)), or nil when not connected.
    public var remoteAddress: SocketAddress? {
        guard hold() else { return nil }
        defer { release() }
        return try? Syscalls.remoteAddress(of: fd)
    }
}

extension Syscalls.IOResult {
    func map<T>(_ transform: (Value) -> T) -> Syscalls.IOResult<T> {
        switch self {
        case .done(let value): .done(transform(value))
        case .wouldBlock: .wouldBlock
        }
    }
}
