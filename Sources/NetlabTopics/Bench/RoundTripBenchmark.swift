import CNetlabLinux
import NetlabProcesses
import NetlabSockets

/// A closed-loop load generator: each connection sends a line and waits for the whole reply line
/// before sending the next. The same generator measures every server, so the ratios are fair.
///
/// It is kept as light as it can be, because it shares the machine with the server it measures: one
/// thread and one level-triggered epoll set, one recv(2) and one send(2) per round trip, no tasks and
/// no allocation. Whatever CPU it does not use is left to the server.
package struct RoundTripBenchmark: Sendable {
    let host: String
    let port: Int
    let connections: Int
    let duration: Duration
    let warmup: Duration
    let message: String
    /// The server's process, to report the CPU time it spends per round trip.
    var serverPID: Int32? = nil

    package init(
        host: String, port: Int, connections: Int, duration: Duration, warmup: Duration, message: String,
        serverPID: Int32? = nil
    ) {
        self.host = host
        self.port = port
        self.connections = connections
        self.duration = duration
        self.warmup = warmup
        self.message = message
        self.serverPID = serverPID
    }

    /// The longest request line: a closed loop never has more than this unsent, so one send(2) takes it all.
    package static let maxMessageBytes = 4096
    /// How long replies still on their way when the run ends may take before they count as errors.
    static let drainTime: Duration = .seconds(5)
    /// How many connections are opened at once while connecting: a listen backlog never overflows.
    static let connectWave = 256

    package struct Result: Sendable, Encodable {
        package let connections: Int
        package let seconds: Double
        package let roundTrips: Int
        package let roundTripsPerSecond: Double
        package let p50Microseconds: Double
        package let p99Microseconds: Double
        package let maxMicroseconds: Double
        package let errors: Int
        /// CPU time (user and system) per round trip measured, of the server (with its PID) and of the generator.
        package let serverCPUMicroseconds: Double?
        package let generatorCPUMicroseconds: Double?

        enum CodingKeys: String, CodingKey {
            case connections, seconds, errors
            case roundTrips = "round_trips"
            case roundTripsPerSecond = "round_trips_per_second"
            case p50Microseconds = "p50_us"
            case p99Microseconds = "p99_us"
            case maxMicroseconds = "max_us"
            case serverCPUMicroseconds = "server_cpu_us_per_round_trip"
            case generatorCPUMicroseconds = "generator_cpu_us_per_round_trip"
        }
    }

    package func run() throws -> Result {
        Socket.raiseOpenFileLimit()
        let epoll = Syscalls.epollCreate()
        defer { Syscalls.close(epoll) }
        return measure(try connectAll(watchedBy: epoll), watchedBy: epoll)
    }

    // MARK: Connecting

    /// Opens every connection, in waves, and leaves each watched for reading. Throws the first failure.
    private func connectAll(watchedBy epoll: Int32) throws -> [Int32] {
        let address = try firstReachableAddress(watchedBy: epoll)
        var sockets: [Int32] = []
        sockets.reserveCapacity(connections)
        do {
            while sockets.count < connections {
                let wave = min(Self.connectWave, connections - sockets.count)
                var pending: [Int32] = []
                for _ in 0..<wave {
                    let fd = try Syscalls.socket(family: address.family, type: Syscalls.streamType)
                    sockets.append(fd)
                    pending.append(fd)
                }
                try establish(pending, to: address, watchedBy: epoll)
            }
        } catch {
            for fd in sockets { Syscalls.close(fd) }
            throw error
        }
        return sockets
    }

    /// The first of the host's addresses that accepts a connection (`localhost` may be ::1 or 127.0.0.1).
    private func firstReachableAddress(watchedBy epoll: Int32) throws -> SocketAddress {
        var lastError: any Error = SocketError.unknownHost(host: host, reason: "no address")
        for address in try Syscalls.resolve(host: host, port: port, type: Syscalls.streamType, passive: false) {
            let probe = try Syscalls.socket(family: address.family, type: Syscalls.streamType)
            defer { Syscalls.close(probe) }
            do {
                try establish([probe], to: address, watchedBy: epoll)
                return address
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Starts connect(2) on every socket, waits until each is connected, then watches each for replies.
    private func establish(_ sockets: [Int32], to address: SocketAddress, watchedBy epoll: Int32) throws {
        var waiting = 0
        for fd in sockets {
            try Syscalls.setNoDelay(fd)
            let connected: Bool
            do {
                connected = try Syscalls.connect(fd, to: address)
            } catch SocketError.system(_, let code) {
                throw SocketError.connecting(to: address, transport: .tcp, code: code)
            }
            try Syscalls.epollAdd(epoll, fd: fd, events: connected ? cnetlab_EPOLLIN : cnetlab_EPOLLOUT)
            if !connected { waiting += 1 }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while waiting > 0 {
            guard let timeout = milliseconds(until: deadline) else {
                throw SocketError.timedOut(operation: "connecting to", peer: address.description, seconds: 10)
            }
            let count = Syscalls.epollWait(
                epoll, events: events, capacity: Int32(capacity), timeoutMilliseconds: timeout)
            for index in 0..<count where events[index].events & cnetlab_EPOLLOUT != 0 {
                let fd = events[index].data.fd
                let code = try Syscalls.pendingError(fd)
                if code != 0 { throw SocketError.connecting(to: address, transport: .tcp, code: code) }
                try Syscalls.epollModify(epoll, fd: fd, events: cnetlab_EPOLLIN)
                waiting -= 1
            }
        }
    }

    // MARK: The closed loop

    /// Runs the closed loop on the connected sockets, and closes each of them exactly once.
    private func measure(_ sockets: [Int32], watchedBy epoll: Int32) -> Result {
        let request = Array((message + "\n").utf8)
        let start = ContinuousClock.now
        let measureFrom = start + warmup
        let end = measureFrom + duration
        let giveUp = end + Self.drainTime

        // Which connection a descriptor belongs to, and when its request in flight left.
        var slotOfDescriptor = [Int](repeating: -1, count: Int(sockets.max() ?? 0) + 1)
        for (slot, fd) in sockets.enumerated() { slotOfDescriptor[Int(fd)] = slot }
        var sentAt = [ContinuousClock.Instant](repeating: start, count: sockets.count)
        var sockets = sockets
        var histogram = LatencyHistogram()
        var errors = 0
        var inFlight = 0
        // CPU times when the measured window opens and closes: (server, generator).
        var cpuAtStart: (Double?, Double?)?
        var cpuAtEnd: (Double?, Double?)?
        func cpuNow() -> (Double?, Double?) { (serverPID.flatMap(ProcessUsage.cpuSeconds), ProcessUsage.cpuSeconds()) }

        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)
        defer { scratch.deallocate() }
        let capacity = 1024
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }

        /// Ends one connection early: its round trip in flight is an error.
        func fail(_ slot: Int) {
            Syscalls.close(sockets[slot])
            sockets[slot] = -1
            errors += 1
            inFlight -= 1
        }

        /// Sends the next request; a request is so short that one send(2) takes all of it, or it failed.
        func sendRequest(_ slot: Int, at now: ContinuousClock.Instant) {
            sentAt[slot] = now
            inFlight += 1
            let result = request.withUnsafeBytes { try? Syscalls.send(sockets[slot], $0) }
            guard case .done(let count) = result, count == request.count else { return fail(slot) }
        }

        for slot in sockets.indices { sendRequest(slot, at: .now) }
        while inFlight > 0 {
            let now = ContinuousClock.now
            if cpuAtStart == nil, now >= measureFrom { cpuAtStart = cpuNow() }
            if cpuAtEnd == nil, now >= end { cpuAtEnd = cpuNow() }
            guard let timeout = milliseconds(until: now < end ? end : giveUp) else {
                if now >= giveUp { break }
                continue
            }
            let count = Syscalls.epollWait(
                epoll, events: events, capacity: Int32(capacity), timeoutMilliseconds: timeout)
            for index in 0..<count {
                let slot = slotOfDescriptor[Int(events[index].data.fd)]
                guard slot >= 0, sockets[slot] >= 0 else { continue }
                switch try? Syscalls.receive(sockets[slot], into: scratch) {
                case .wouldBlock:
                    continue
                case .done(let received) where received > 0:
                    // The reply is whole when what has come so far ends the line.
                    guard scratch[received - 1] == UInt8(ascii: "\n") else { continue }
                    let replied = ContinuousClock.now
                    inFlight -= 1
                    if sentAt[slot] >= measureFrom {
                        let elapsed = replied - sentAt[slot]
                        histogram.record(
                            microseconds: elapsed.seconds * 1e6)
                    }
                    if replied < end { sendRequest(slot, at: replied) }
                default:  // the server closed the connection, or reset it
                    fail(slot)
                }
            }
        }
        for fd in sockets where fd >= 0 { Syscalls.close(fd) }
        errors += inFlight  // replies that never came
        let seconds = duration.seconds
        let cpuAtClose = cpuAtEnd ?? cpuNow()
        func perRoundTrip(_ start: Double?, _ end: Double?) -> Double? {
            guard let start, let end, histogram.total > 0 else { return nil }
            return (end - start) * 1e6 / Double(histogram.total)
        }
        return Result(
            connections: connections, seconds: seconds, roundTrips: histogram.total,
            roundTripsPerSecond: Double(histogram.total) / seconds, p50Microseconds: histogram.percentile(0.5),
            p99Microseconds: histogram.percentile(0.99), maxMicroseconds: histogram.maxMicroseconds, errors: errors,
            serverCPUMicroseconds: perRoundTrip(cpuAtStart?.0, cpuAtClose.0),
            generatorCPUMicroseconds: perRoundTrip(cpuAtStart?.1, cpuAtClose.1))
    }

    /// epoll_wait's timeout for `deadline`, rounded up to whole milliseconds; nil once it has passed.
    private func milliseconds(until deadline: ContinuousClock.Instant) -> Int32? {
        let remaining = ContinuousClock.now.duration(to: deadline)
        if remaining <= .zero { return nil }
        return remaining.pollMilliseconds
    }
}
