import CNetlabLinux
import Foundation
import Glibc
import NetlabSockets
import Synchronization

/// The one thread that reads every child's pipes with poll(2), so a program costs netlab no thread of its own.
///
/// A fork bomb can use up a user's processes, and with them the threads netlab could start: each
/// program's output, its supervisor's reports and its exit are all watched here, by a thread started
/// once, with pthread_create(3) so a failure is an error and not a crash.
final class PipeWatcher: @unchecked Sendable {
    // @unchecked Sendable: owns its wake pipe (immutable); the watches are guarded by `state`. Every
    // watched descriptor is closed by this thread alone, after its watch is removed.

    static let shared = PipeWatcher()

    /// Called on the watcher's thread with poll's `revents`; returns false to stop watching, and the
    /// watcher then closes the descriptor. A call may be spurious: handlers read without blocking.
    typealias Handler = @Sendable (_ events: Int16) -> Bool

    private struct Watch {
        let events: Int16
        let handler: Handler
        /// Which watch of this number it is: once a handler finishes a descriptor, its number may be
        /// handed to a new one at once, and what poll said of the old must not reach the new one's handler.
        let serial: UInt64
    }

    private struct State {
        var watches: [Int32: Watch] = [:]
        var nextSerial: UInt64 = 0
        var isRunning = false
    }

    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        var ends: [Int32] = [-1, -1]
        if cnetlab_pipe_cloexec(&ends) == 0 {
            for fd in ends { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        }
        wakeRead = ends[0]
        wakeWrite = ends[1]
    }

    /// Starts the thread unless it runs; throws when it cannot be created.
    func start() throws {
        try state.withLock { state throws(RuntimeError) in
            if state.isRunning { return }
            guard wakeRead >= 0 else {
                throw RuntimeError(
                    "cannot start the program: netlab has too many files open for a pipe ('ulimit -n') — try again when fewer are open"
                )
            }
            var thread = pthread_t()
            let context = Unmanaged.passRetained(self).toOpaque()
            let status = pthread_create(
                &thread, nil,
                { context in
                    Unmanaged<PipeWatcher>.fromOpaque(context!).takeRetainedValue().run()
                    return nil
                }, context)
            guard status == 0 else {
                Unmanaged<PipeWatcher>.fromOpaque(context).release()
                throw RuntimeError(
                    "cannot start the program: netlab could not start a thread (\(Errno.name(status))) — your user runs "
                        + "as many processes as it may ('ulimit -u'); end some, or grade as root")
            }
            pthread_detach(thread)
            state.isRunning = true
        }
    }

    /// Watches `fd` for `events` (POLLIN, POLLOUT); the watcher owns it from now on.
    func watch(_ fd: Int32, events: Int16, handler: @escaping Handler) {
        state.withLock { state in
            state.nextSerial += 1
            state.watches[fd] = Watch(events: events, handler: handler, serial: state.nextSerial)
        }
        wake()
    }

    /// Stops watching `fd` and closes it. Only on the watcher's thread, from a handler.
    func finish(_ fd: Int32) {
        if state.withLock({ $0.watches.removeValue(forKey: fd) }) != nil { close(fd) }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full pipe already wakes the thread
    }

    private func run() {
        cnetlab_set_thread_name("netlab-pipes")
        var scratch = [UInt8](repeating: 0, count: 256)
        while true {
            let watched = state.withLock { Array($0.watches) }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            fds += watched.map { pollfd(fd: $0.key, events: $0.value.events, revents: 0) }
            if Syscalls.pollDescriptors(&fds, timeoutMilliseconds: -1) < 0 {
                if errno != EINTR { usleep(1000) }  // ENOMEM: try again shortly
                continue
            }
            if fds[0].revents != 0 {
                while scratch.withUnsafeMutableBytes({ read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
            }
            for (entry, watch) in zip(fds.dropFirst(), watched) where entry.revents != 0 {
                // Skipped when an earlier handler of this round finished the descriptor, even if its number
                // already names a new one: the events were the old one's.
                guard state.withLock({ $0.watches[entry.fd]?.serial == watch.value.serial }) else { continue }
                if !watch.value.handler(entry.revents) { finish(entry.fd) }
            }
        }
    }
}
