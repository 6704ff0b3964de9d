import CNetlabLinux
import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing

@testable import NetlabProcesses

@Suite("The pipe watcher, whose numbers are reused the moment they close", .machineShare, .tags(.integration))
struct PipeWatcherTests {
    /// A pipe's two ends, close-on-exec and non-blocking: (read, write).
    private static func pipeEnds() -> (Int32, Int32)? {
        var ends: [Int32] = [-1, -1]
        guard cnetlab_pipe_cloexec(&ends) == 0 else { return nil }
        for fd in ends { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return (ends[0], ends[1])
    }

    /// Waits, at most 5 s, for `semaphore`.
    private func wait(_ semaphore: DispatchSemaphore) -> Bool {
        semaphore.wait(timeout: .now() + .seconds(5)) == .success
    }

    @Test("what poll said of a finished descriptor never reaches the handler of the one that got its number")
    func staleEventsNeverReachANewWatch() throws {
        // Two readable pipes, so one round of poll reports both. Whichever handler runs first finishes the
        // other pipe and puts a new, empty pipe under its number: that is what the grader does when one
        // child's exit closes its pipes while another child starts. The new watch must not be called with
        // the old pipe's events (the grader took a spurious call on a supervisor's pidfd for its end, and
        // killed a program that had done nothing wrong).
        let watcher = PipeWatcher.shared
        try watcher.start()
        let (firstRead, firstWrite) = try #require(Self.pipeEnds())
        let (secondRead, secondWrite) = try #require(Self.pipeEnds())
        var one: UInt8 = 1
        #expect(write(firstWrite, &one, 1) == 1 && write(secondWrite, &one, 1) == 1)

        let swapped = DispatchSemaphore(value: 0)
        let replacementCalls = Atomic<Int>(0)
        let replacementWriter = Mutex<Int32>(-1)
        let swappedOnce = Atomic<Bool>(false)
        let cleaningUp = Atomic<Bool>(false)
        @Sendable func swap(replacing other: Int32) -> Bool {
            guard swappedOnce.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
                return false
            }
            watcher.finish(other)
            if let (readEnd, writeEnd) = Self.pipeEnds() {
                // The new pipe takes exactly the finished one's number; nothing is ever written to it.
                if readEnd != other {  // the kernel gives the lowest free number, often that one already
                    _ = dup2(readEnd, other)
                    close(readEnd)
                }
                replacementWriter.withLock { $0 = writeEnd }
                watcher.watch(other, events: Int16(POLLIN)) { _ in
                    if !cleaningUp.load(ordering: .relaxed) { replacementCalls.add(1, ordering: .relaxed) }
                    var byte: UInt8 = 0
                    return read(other, &byte, 1) != 0  // its end (the test's clean-up) finishes it
                }
            }
            swapped.signal()
            return false
        }
        // Both watches must be in one round: the watcher is held in a handler while they are added.
        let (gateRead, gateWrite) = try #require(Self.pipeEnds())
        #expect(write(gateWrite, &one, 1) == 1)
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        watcher.watch(gateRead, events: Int16(POLLIN)) { _ in
            held.signal()
            release.wait()
            return false
        }
        #expect(wait(held))
        watcher.watch(firstRead, events: Int16(POLLIN)) { _ in swap(replacing: secondRead) }
        watcher.watch(secondRead, events: Int16(POLLIN)) { _ in swap(replacing: firstRead) }
        release.signal()
        #expect(wait(swapped))

        // A later round: by the time its handler runs, the round that did the swap is over.
        let (barrierRead, barrierWrite) = try #require(Self.pipeEnds())
        #expect(write(barrierWrite, &one, 1) == 1)
        let barrier = DispatchSemaphore(value: 0)
        watcher.watch(barrierRead, events: Int16(POLLIN)) { _ in
            barrier.signal()
            return false
        }
        #expect(wait(barrier))
        #expect(replacementCalls.load(ordering: .relaxed) == 0, "the new pipe has no data: nothing should call it")

        // Clean up: closing the replacement's writer makes it readable (its end), and its handler finishes it.
        cleaningUp.store(true, ordering: .relaxed)
        for fd in [firstWrite, secondWrite, barrierWrite, gateWrite] { close(fd) }
        replacementWriter.withLock { fd in
            if fd >= 0 { close(fd) }
        }
    }
}
