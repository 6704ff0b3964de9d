import CNetlabLinux
import Glibc
import Synchronization

/// The only code in netlab that calls the C library's socket functions.
///
/// Each wrapper retries EINTR (except `close`), reports EAGAIN as `.wouldBlock`,
/// and throws `SocketError.system` with the call's name and the errno read at once.
/// `Socket` turns those into the student-facing errors. See lessons/03-tcp-sockets.md.
package enum Syscalls {
    /// The outcome of a call on a non-blocking socket.
    package enum IOResult<Value> {
        case done(Value)
        case wouldBlock
    }

    private static let isSIGPIPEIgnored = Mutex(false)

    /// Ignores SIGPIPE once for the process: a vanished peer then shows up as EPIPE, not a dead server.
    static func ignoreSIGPIPE() {
        isSIGPIPEIgnored.withLock { done in
            if !done {
                signal(SIGPIPE, SIG_IGN)
                done = true
            }
        }
    }

    /// Raises this process's soft limit of open descriptors (RLIMIT_NOFILE) to its hard limit, as far as
    /// 1,048,576, and returns the soft limit then in force: a server holding 10,000 clients needs more
    /// than the usual 1,024, and the hard limit is what the administrator allows.
    @discardableResult
    static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let wanted = min(limit.rlim_max, 1 << 20)
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = wanted
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The lowest descriptor number free now: about how many the process has open, since the kernel
    /// hands out the lowest free one. Found by opening /dev/null and closing it again.
    static func lowestFreeDescriptor() -> Int {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return Int.max }  // EMFILE: none is free
        Glibc.close(fd)
        return Int(fd)
    }

    /// Whether a write to `fd` would not wait now (poll(2) for POLLOUT, without waiting). A pipe is
    /// writable while it has a free page, so a line shorter than that goes in whole.
    package static func isWritableNow(_ fd: Int32) -> Bool {
        var watched = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let result = poll(&watched, 1, 0)
            if result < 0, errno == EINTR { continue }
            return result > 0 && watched.revents & Int16(POLLOUT) != 0
        }
    }

    /// What poll(2) says of a connected socket right now, without reading or waiting: whether the peer
    /// has sent its FIN (POLLRDHUP), and whether the connection is over (POLLHUP: reset or shut both
    /// ways; POLLERR: a pending error).
    static func peerEvents(_ fd: Int32) -> (finishedSending: Bool, isGone: Bool) {
        // POLLRDHUP is Linux's 0x2000; Swift's Glibc module leaves it out (it needs _GNU_SOURCE).
        let readHangUp: Int16 = 0x2000
        var watched = pollfd(fd: fd, events: Int16(POLLIN) | readHangUp, revents: 0)
        while true {
            let result = poll(&watched, 1, 0)
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { return (false, result < 0) }
            let events = watched.revents
            return (events & readHangUp != 0, events & Int16(POLLHUP | POLLERR | POLLNVAL) != 0)
        }
    }

    /// Wraps socket(2), always with SOCK_CLOEXEC (children never inherit it) and SOCK_NONBLOCK.
    package static func socket(family: SocketAddress.Family, type: Int32) throws -> Int32 {
        ignoreSIGPIPE()
        let fd = Glibc.socket(family.rawValue, type | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        if fd < 0 { throw SocketError.system(call: "socket", code: errno) }
        return fd
    }

    /// Wraps setsockopt(2) for an integer option.
    static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) throws {
        var value = value
        if setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) < 0 {
            throw SocketError.system(call: "setsockopt", code: errno)
        }
    }

    /// Wraps getsockopt(2) for an integer option.
    static func option(_ fd: Int32, level: Int32, name: Int32) throws -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, level, name, &value, &length) < 0 {
            throw SocketError.system(call: "getsockopt", code: errno)
        }
        return value
    }

    /// socket(2)'s type for TCP and for UDP.
    package static let streamType = Int32(SOCK_STREAM.rawValue)
    static let datagramType = Int32(SOCK_DGRAM.rawValue)

    /// Turns off Nagle's algorithm (TCP_NODELAY) on a TCP socket.
    package static func setNoDelay(_ fd: Int32) throws {
        try setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
    }

    /// The error a non-blocking connect(2) ended with (SO_ERROR), 0 when it connected.
    package static func pendingError(_ fd: Int32) throws -> Int32 {
        try option(fd, level: SOL_SOCKET, name: SO_ERROR)
    }

    /// Wraps bind(2).
    static func bind(_ fd: Int32, to address: SocketAddress) throws {
        let result = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        if result < 0 { throw SocketError.system(call: "bind", code: errno) }
    }

    /// Wraps listen(2).
    static func listen(_ fd: Int32, backlog: Int32) throws {
        if Glibc.listen(fd, backlog) < 0 { throw SocketError.system(call: "listen", code: errno) }
    }

    /// Wraps accept4(2): the new socket is non-blocking and close-on-exec from its first instant.
    static func accept(_ fd: Int32) throws -> IOResult<(fd: Int32, peer: SocketAddress)> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { cnetlab_accept4(fd, $0, &length) }
            }
            if client >= 0 {
                let peer = withUnsafeBytes(of: &storage) { SocketAddress(bytes: $0.baseAddress!, length: Int(length)) }
                return .done((client, peer))
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN: return .wouldBlock
            case let code: throw SocketError.system(call: "accept", code: code)
            }
        }
    }

    /// Wraps connect(2) on a non-blocking socket: true when connected at once, false when in progress.
    package static func connect(_ fd: Int32, to address: SocketAddress) throws -> Bool {
        while true {
            let result = address.withSockaddr { Glibc.connect(fd, $0, $1) }
            if result == 0 { return true }
            switch errno {
            case EINTR: continue
            case EINPROGRESS: return false
            case let code: throw SocketError.system(call: "connect", code: code)
            }
        }
    }

    /// Wraps send(2) with MSG_NOSIGNAL, so a closed peer is EPIPE and never SIGPIPE.
    package static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws -> IOResult<Int> {
        while true {
            let sent = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if sent >= 0 { return .done(sent) }
            switch errno {
            case EINTR: continue
            case EAGAIN: return .wouldBlock
            case let code: throw SocketError.system(call: "send", code: code)
            }
        }
    }

    /// Wraps recv(2); `.done(0)` means the peer closed its side.
    package static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> IOResult<Int> {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return .done(count) }
            switch errno {
            case EINTR: continue
            case EAGAIN: return .wouldBlock
            case let code: throw SocketError.system(call: "recv", code: code)
            }
        }
    }

    /// Wraps sendto(2) with MSG_NOSIGNAL; a nil address sends to the connected peer.
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, to address: SocketAddress?) throws -> IOResult<Int> {
        while true {
            let sent: Int
            if let address {
                sent = address.withSockaddr { sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, $1) }
            } else {
                sent = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            }
            if sent >= 0 { return .done(sent) }
            switch errno {
            case EINTR: continue
            case EAGAIN: return .wouldBlock
            case let code: throw SocketError.system(call: "sendto", code: code)
            }
        }
    }

    /// Wraps recvfrom(2): one datagram and who sent it.
    static func receiveFrom(
        _ fd: Int32, into buffer: UnsafeMutableRawBufferPointer
    ) throws -> IOResult<(count: Int, sender: SocketAddress)> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let count = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fd, buffer.baseAddress, buffer.count, 0, $0, &length)
                }
            }
            if count >= 0 {
                let sender = withUnsafeBytes(of: &storage) {
                    SocketAddress(bytes: $0.baseAddress!, length: Int(length))
                }
                return .done((count, sender))
            }
            switch errno {
            case EINTR: continue
            case EAGAIN: return .wouldBlock
            case let code: throw SocketError.system(call: "recvfrom", code: code)
            }
        }
    }

    /// Wraps shutdown(2) for the sending side: the peer reads end of stream.
    static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// The inodes of the sockets bound to `port` (TCP: listening), IPv4 or IPv6, from the kernel's socket
    /// diagnostics (NETLINK_SOCK_DIAG); nil when the kernel cannot answer.
    static func listeningInodes(family: SocketAddress.Family, udp: Bool, port: Int) -> [UInt64]? {
        var inodes = [UInt64](repeating: 0, count: 64)
        let count = cnetlab_listening_inodes(
            family.rawValue, Int32(udp ? IPPROTO_UDP : IPPROTO_TCP), Int32(port), &inodes, Int32(inodes.count))
        return count < 0 ? nil : Array(inodes.prefix(Int(count)))
    }

    /// One loopback TCP connection's end, looked up by its ports in the kernel's socket diagnostics
    /// (NETLINK_SOCK_DIAG): `.some(nil)` when there is no such connection, nil when the kernel cannot answer.
    static func loopbackTCPEnd(localPort: Int, remotePort: Int) -> (state: Int, unreadBytes: Int)?? {
        var state: Int32 = 0
        var unread: UInt32 = 0
        switch cnetlab_loopback_tcp_end(Int32(localPort), Int32(remotePort), &state, &unread) {
        case 1: return .some((Int(state), Int(unread)))
        case 0: return .some(nil)
        default: return nil
        }
    }

    /// Wraps setsockopt(2) SO_LINGER with a timeout of 0: close(2) then resets the connection (RST)
    /// instead of ending it with a FIN.
    static func setLingerToReset(_ fd: Int32) {
        var value = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &value, socklen_t(MemoryLayout<linger>.size))
    }

    /// Wraps shutdown(2) for both directions: the peer sees end of stream, and every wait on the socket
    /// wakes, while the descriptor stays open for its owner to close.
    static func shutdownBoth(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Wraps close(2). Never retried on EINTR: on Linux the descriptor is gone either way.
    package static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Wraps getsockname(2).
    static func localAddress(of fd: Int32) throws -> SocketAddress {
        try nameOf(fd, call: "getsockname") { getsockname(fd, $0, $1) }
    }

    /// Wraps getpeername(2).
    static func remoteAddress(of fd: Int32) throws -> SocketAddress {
        try nameOf(fd, call: "getpeername") { getpeername(fd, $0, $1) }
    }

    private static func nameOf(
        _ fd: Int32, call: String, _ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) throws -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, &length) }
        }
        if result < 0 { throw SocketError.system(call: call, code: errno) }
        return withUnsafeBytes(of: &storage) { SocketAddress(bytes: $0.baseAddress!, length: Int(length)) }
    }

    /// Wraps getaddrinfo(3): the addresses for a host name or numeric address and a port.
    ///
    /// `passive` asks for addresses to bind to (AI_PASSIVE). Names resolve through the system's resolver.
    package static func resolve(host: String, port: Int, type: Int32, passive: Bool) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = type
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        if status != 0 {
            let reason: String =
                switch status {
                case EAI_NONAME: "no such name (EAI_NONAME)"
                case EAI_AGAIN: "the name server did not answer (EAI_AGAIN)"
                case EAI_FAIL: "the name server failed (EAI_FAIL)"
                case EAI_SERVICE: "bad port (EAI_SERVICE)"
                default: String(cString: gai_strerror(status))
                }
            throw SocketError.unknownHost(host: host, reason: reason)
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry = list
        while let current = entry {
            let family = current.pointee.ai_family
            if family == AF_INET || family == AF_INET6, let address = current.pointee.ai_addr {
                let wrapped = SocketAddress(bytes: address, length: Int(current.pointee.ai_addrlen))
                if !addresses.contains(wrapped) { addresses.append(wrapped) }
            }
            entry = current.pointee.ai_next
        }
        if addresses.isEmpty { throw SocketError.unknownHost(host: host, reason: "no IPv4 or IPv6 address") }
        return addresses
    }

    /// Wraps getservbyname(3): the port of a named service in the services database, if it is listed.
    static func servicePort(name: String, transport: String) -> Int? {
        guard let entry = getservbyname(name, transport) else { return nil }
        return Int(UInt16(bigEndian: UInt16(truncatingIfNeeded: entry.pointee.s_port)))
    }

    /// What is at a path, without following a symbolic link (lstat(2)): nil when nothing is, else whether
    /// it is a socket.
    static func pathIsSocket(_ path: String) -> Bool? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT == S_IFSOCK
    }

    /// Wraps poll(2) for any descriptors, sockets or pipes (the grader watches its programs' pipes with it):
    /// how many are ready, 0 after `timeoutMilliseconds` (-1 waits for ever), or -1 with errno set.
    package static func pollDescriptors(_ descriptors: inout [pollfd], timeoutMilliseconds: Int32) -> Int32 {
        Glibc.poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
    }

    /// This process's ID (getpid(2)).
    static var processID: Int32 { getpid() }

    /// Wraps unlink(2), for a Unix socket's file; an error means it is already gone.
    static func removeFile(_ path: String) {
        _ = unlink(path)
    }

    /// Wraps getnameinfo(3) with NI_NUMERICHOST and NI_NUMERICSERV.
    static func numericName(of address: SocketAddress) -> (host: String, port: Int) {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: 32)
        let status = address.withSockaddr { pointer, length in
            getnameinfo(
                pointer, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                NI_NUMERICHOST | NI_NUMERICSERV)
        }
        precondition(status == 0, "getnameinfo failed on a kernel-made address")
        let hostText = host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let portText = service.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (hostText, Int(portText) ?? 0)
    }

    // MARK: epoll and eventfd, for EventLoop

    /// Wraps epoll_create1(2) with EPOLL_CLOEXEC.
    package static func epollCreate() -> Int32 {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(fd >= 0, "epoll_create1 failed: \(Errno.name(errno))")
        return fd
    }

    /// Every event an `EventLoop` watches for: edge-triggered reading and writing.
    static let loopEvents = cnetlab_EPOLLIN | cnetlab_EPOLLOUT | cnetlab_EPOLLRDHUP | cnetlab_EPOLLET

    /// Wraps epoll_ctl(2) EPOLL_CTL_ADD; the event carries `fd` back.
    package static func epollAdd(_ epoll: Int32, fd: Int32, events: UInt32 = loopEvents) throws {
        try epollControl(epoll, EPOLL_CTL_ADD, fd: fd, events: events)
    }

    /// Wraps epoll_ctl(2) EPOLL_CTL_MOD: watch `fd` for other events.
    package static func epollModify(_ epoll: Int32, fd: Int32, events: UInt32) throws {
        try epollControl(epoll, EPOLL_CTL_MOD, fd: fd, events: events)
    }

    private static func epollControl(_ epoll: Int32, _ operation: Int32, fd: Int32, events: UInt32) throws {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        if epoll_ctl(epoll, operation, fd, &event) < 0 {
            throw SocketError.system(call: "epoll_ctl", code: errno)
        }
    }

    /// Wraps epoll_ctl(2) EPOLL_CTL_DEL.
    static func epollRemove(_ epoll: Int32, fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &event)
    }

    /// Wraps epoll_wait(2); returns how many events it wrote, 0 on EINTR.
    package static func epollWait(
        _ epoll: Int32, events: UnsafeMutablePointer<epoll_event>, capacity: Int32, timeoutMilliseconds: Int32
    )
        -> Int
    {
        let count = epoll_wait(epoll, events, capacity, timeoutMilliseconds)
        if count < 0 {
            precondition(errno == EINTR, "epoll_wait failed: \(Errno.name(errno))")
            return 0
        }
        return Int(count)
    }

    /// Wraps eventfd(2): the loop's doorbell.
    static func eventFD() -> Int32 {
        let fd = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(fd >= 0, "eventfd failed: \(Errno.name(errno))")
        return fd
    }

    /// Rings an eventfd doorbell.
    static func ring(_ fd: Int32) {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// Silences an eventfd doorbell.
    static func drain(_ fd: Int32) {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
    }
}
