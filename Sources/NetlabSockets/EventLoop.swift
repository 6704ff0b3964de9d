import CNetlabLinux
import Glibc
import Synchronization

/// One thread that waits in epoll_wait(2) for sockets to become ready, and runs the tasks that use them.
///
/// The loop is a `TaskExecutor`: a connection's task runs on the same thread that learns its socket is
/// ready, so a receive that has to wait costs no thread hop. A handler still reads like the lesson
/// (accept, then a loop of receive and send) because each wait is an `await`. See lessons/03-tcp-sockets.md.
public final class EventLoop: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `epoll` and `doorbell` never change after init; everything else is in `state`.

    /// Which way a task waits on a socket.
    enum Direction {
        case read, write
    }

    private let epoll: Int32
    private let doorbell: Int32
    private let state = Mutex(State())

    private struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<Void, any Error>
    }

    /// What the loop knows about one socket: how many readiness events it has seen, and who waits.
    private struct Registration {
        var readEvents: UInt64 = 0
        var writeEvents: UInt64 = 0
        /// Whether an event has said the peer closed or the connection failed (EPOLLRDHUP, EPOLLHUP, EPOLLERR).
        var peerHasClosed = false
        var reader: Waiter?
        var writer: Waiter?
        /// Called once at the first read event, for a socket no task waits on yet (`whenReadable`).
        var onReadable: (@Sendable () -> Void)?
    }

    /// When a waiter times out. Ordered by instant, then by waiter: two deadlines are equal only when
    /// they are the same waiter's, and never both less than each other.
    private struct Deadline: Comparable {
        let instant: ContinuousClock.Instant
        let fd: Int32
        let id: UInt64
        let direction: Direction
        static func < (a: Deadline, b: Deadline) -> Bool { (a.instant, a.id) < (b.instant, b.id) }
        static func == (a: Deadline, b: Deadline) -> Bool { a.instant == b.instant && a.id == b.id }
    }

    private struct State {
        var jobs: [UnownedJob] = []
        var isSleeping = false
        /// Indexed by descriptor: descriptors are small numbers, and the kernel reuses them after close.
        var registrations: [Registration?] = []
        var deadlines = MinHeap<Deadline>()
        var nextWaiterID: UInt64 = 0

        subscript(fd: Int32) -> Registration? {
            get { Int(fd) < registrations.count ? registrations[Int(fd)] : nil }
            set {
                if Int(fd) >= registrations.count {
                    guard newValue != nil else { return }
                    registrations.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - registrations.count))
                }
                registrations[Int(fd)] = newValue
            }
        }
    }

    /// Starts a loop on a new thread; it runs as long as the process does.
    public init(name: String) {
        epoll = Syscalls.epollCreate()
        doorbell = Syscalls.eventFD()
        try! Syscalls.epollAdd(epoll, fd: doorbell)
        LoopThread(loop: self, name: name).start()
    }

    // MARK: TaskExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let mustWake = state.withLock { state in
            state.jobs.append(job)
            if state.isSleeping {
                state.isSleeping = false
                return true
            }
            return false
        }
        if mustWake { Syscalls.ring(doorbell) }
    }

    // MARK: Sockets

    /// Starts watching a socket. Every socket a task waits on is registered once, right after it is made.
    func register(_ fd: Int32) throws {
        state.withLock { $0[fd] = Registration() }
        try Syscalls.epollAdd(epoll, fd: fd)
    }

    /// Stops watching a socket before it is closed; any task still waiting on it is cancelled.
    func deregister(_ fd: Int32) {
        Syscalls.epollRemove(epoll, fd: fd)
        let registration = state.withLock { state in
            defer { state[fd] = nil }
            return state[fd]
        }
        registration?.reader?.continuation.resume(throwing: CancellationError())
        registration?.writer?.continuation.resume(throwing: CancellationError())
    }

    /// How many readiness events of one direction the socket has had; pass it to `wait`.
    ///
    /// Read it before trying the call: an event that lands between a failed call and the wait is then not lost.
    func eventCount(_ fd: Int32, _ direction: Direction) -> UInt64 {
        state.withLock { state in
            let registration = state[fd]
            return (direction == .read ? registration?.readEvents : registration?.writeEvents) ?? 0
        }
    }

    /// Whether a task waits on the socket in `direction`: for a test that must act only once a wait has begun.
    func hasWaiter(_ fd: Int32, _ direction: Direction) -> Bool {
        state.withLock { state in
            direction == .read ? state[fd]?.reader != nil : state[fd]?.writer != nil
        }
    }

    /// `eventCount(fd, .read)`, and whether the peer has closed: then a receive returns at once,
    /// with the end of the stream or an error, even when no new event will come.
    func readEvents(_ fd: Int32) -> (count: UInt64, peerHasClosed: Bool) {
        state.withLock { state in
            let registration = state[fd]
            return (registration?.readEvents ?? 0, registration?.peerHasClosed ?? true)
        }
    }

    /// Waits until the socket has had an event since `seen`, or until `deadline`.
    ///
    /// Throws `WaitTimeout` at the deadline and `CancellationError` when the task is cancelled
    /// or the socket is closed. One task at a time may wait on each direction of a socket: a second
    /// would take the first's place and leave it waiting for ever, so it stops a debug build and gets
    /// `SocketError.concurrentWait` in a release one.
    func wait(
        _ fd: Int32, _ direction: Direction, since seen: UInt64, until deadline: ContinuousClock.Instant? = nil
    ) async throws {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let outcome: WaitStart = state.withLock { state in
                    guard var registration = state[fd] else { return .resume(.failure(CancellationError())) }
                    let count = direction == .read ? registration.readEvents : registration.writeEvents
                    if count != seen { return .resume(.success(())) }
                    if Task.isCancelled { return .resume(.failure(CancellationError())) }
                    let current = direction == .read ? registration.reader : registration.writer
                    if current != nil {
                        assertionFailure("two tasks wait to \(direction) descriptor \(fd) at once")
                        return .resume(.failure(SocketError.concurrentWait(direction: "\(direction)")))
                    }
                    let waiter = Waiter(id: id, continuation: continuation)
                    if direction == .read { registration.reader = waiter } else { registration.writer = waiter }
                    state[fd] = registration
                    guard let deadline else { return .waits }
                    state.deadlines.insert(Deadline(instant: deadline, fd: fd, id: id, direction: direction))
                    // A sleeping loop computed its timeout without this deadline: wake it to see it. A loop
                    // that is awake computes its next timeout after this, under the same lock.
                    guard state.isSleeping else { return .waits }
                    state.isSleeping = false
                    return .waitsAndWakesLoop
                }
                switch outcome {
                case .resume(let result): continuation.resume(with: result)
                case .waits: break
                case .waitsAndWakesLoop: Syscalls.ring(doorbell)
                }
            }
        } onCancel: {
            self.resumeWaiter(fd: fd, id: id, direction: direction, with: CancellationError())
        }
    }

    /// What `wait` does once it has looked at the socket.
    private enum WaitStart {
        case resume(Result<Void, any Error>)
        case waits
        case waitsAndWakesLoop
    }

    private func resumeWaiter(fd: Int32, id: UInt64, direction: Direction, with error: any Error) {
        let waiter: Waiter? = state.withLock { state in
            guard var registration = state[fd] else { return nil }
            var found: Waiter?
            if direction == .read, registration.reader?.id == id {
                found = registration.reader
                registration.reader = nil
            } else if direction == .write, registration.writer?.id == id {
                found = registration.writer
                registration.writer = nil
            }
            state[fd] = registration
            return found
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Calls `body` once, on the loop's thread, when the socket has something to read (data, its peer's
    /// close, an error), at once if it already has; never if the socket is closed first.
    ///
    /// A socket waited on this way needs no task until then: a server's idle clients cost far less.
    func whenReadable(_ fd: Int32, _ body: @escaping @Sendable () -> Void) {
        let callsNow = state.withLock { state -> Bool in
            guard var registration = state[fd] else { return false }
            if registration.readEvents > 0 { return true }
            registration.onReadable = body
            state[fd] = registration
            return false
        }
        if callsNow { body() }
    }

    /// What the loop is waiting for, one line per socket: for diagnosing a stuck program.
    public var diagnostics: String {
        state.withLock { state in
            state.registrations.indices.compactMap { index -> String? in
                guard let registration = state.registrations[index] else { return nil }
                let fd = Int32(index)
                let local = (try? Syscalls.localAddress(of: fd))?.description ?? "?"
                let remote = (try? Syscalls.remoteAddress(of: fd))?.description ?? "-"
                let reading = registration.reader == nil ? "" : " (a task waits)"
                let writing = registration.writer == nil ? "" : " (a task waits)"
                return "fd \(fd) \(local)→\(remote): read events \(registration.readEvents)\(reading), "
                    + "write events \(registration.writeEvents)\(writing)"
            }.joined(separator: "\n") + "\njobs queued: \(state.jobs.count), sleeping: \(state.isSleeping)"
        }
    }

    // MARK: The loop

    fileprivate func run() {
        let capacity: Int32 = 1024
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(capacity))
        let executor = asUnownedTaskExecutor()
        var ready: [Waiter] = []
        var readable: [@Sendable () -> Void] = []
        var expired: [Deadline] = []
        while true {
            let (jobs, timeout) = state.withLock { state -> ([UnownedJob], Int32) in
                let jobs = state.jobs
                state.jobs.removeAll(keepingCapacity: true)
                if !jobs.isEmpty { return (jobs, 0) }
                state.isSleeping = true
                guard let next = state.deadlines.min else { return (jobs, -1) }
                let remaining = ContinuousClock.now.duration(to: next.instant)
                if remaining <= .zero { return (jobs, 0) }
                return (jobs, remaining.pollMilliseconds)
            }
            for job in jobs { job.runSynchronously(on: executor) }
            // With work queued, poll without sleeping so socket events interleave with it. Deadlines are
            // checked on every pass, so a busy loop still times out its waiters.
            let count = Syscalls.epollWait(
                epoll, events: events, capacity: capacity, timeoutMilliseconds: jobs.isEmpty ? timeout : 0)
            collect(events: events, count: count, into: &ready, readable: &readable, expired: &expired)
            for waiter in ready { waiter.continuation.resume() }
            ready.removeAll(keepingCapacity: true)
            for body in readable { body() }
            readable.removeAll(keepingCapacity: true)
            for deadline in expired {
                resumeWaiter(fd: deadline.fd, id: deadline.id, direction: deadline.direction, with: WaitTimeout())
            }
            expired.removeAll(keepingCapacity: true)
        }
    }

    private func collect(
        events: UnsafeMutablePointer<epoll_event>, count: Int, into ready: inout [Waiter],
        readable: inout [@Sendable () -> Void], expired: inout [Deadline]
    ) {
        let now = ContinuousClock.now
        var rang = false
        state.withLock { state in
            state.isSleeping = false
            for index in 0..<count {
                let event = events[index]
                let fd = event.data.fd
                if fd == doorbell {
                    rang = true
                    continue
                }
                guard var registration = state[fd] else { continue }
                let flags = event.events
                let failed = flags & (cnetlab_EPOLLERR | cnetlab_EPOLLHUP) != 0
                if failed || flags & (cnetlab_EPOLLIN | cnetlab_EPOLLRDHUP) != 0 {
                    registration.readEvents &+= 1
                    if failed || flags & cnetlab_EPOLLRDHUP != 0 { registration.peerHasClosed = true }
                    if let reader = registration.reader {
                        ready.append(reader)
                        registration.reader = nil
                    }
                    if let body = registration.onReadable {
                        readable.append(body)
                        registration.onReadable = nil
                    }
                }
                if failed || flags & cnetlab_EPOLLOUT != 0 {
                    registration.writeEvents &+= 1
                    if let writer = registration.writer {
                        ready.append(writer)
                        registration.writer = nil
                    }
                }
                state[fd] = registration
            }
            while let next = state.deadlines.min, next.instant <= now {
                expired.append(state.deadlines.removeMin())
            }
        }
        if rang { Syscalls.drain(doorbell) }
    }
}

/// Thrown by `EventLoop.wait` (and the socket reads built on it) when its deadline passes first.
public struct WaitTimeout: Error {
    public init() {}
}

/// The thread an `EventLoop` runs on.
private final class LoopThread: Sendable {
    let loop: EventLoop
    let name: String

    init(loop: EventLoop, name: String) {
        self.loop = loop
        self.name = name
    }

    func start() {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(
            &thread, &attributes,
            { context in
                let owner = Unmanaged<LoopThread>.fromOpaque(context!).takeRetainedValue()
                cnetlab_set_thread_name(String(owner.name.prefix(15)))
                owner.loop.run()
                return nil
            }, context)
        precondition(result == 0, "pthread_create failed: \(Errno.name(result))")
        pthread_detach(thread)
    }
}
