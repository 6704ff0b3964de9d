import Foundation
import NetlabSockets
import Testing

@Suite("Event loop", .machineShare, .tags(.integration))
struct EventLoopTests {
    /// One task at a time may wait on each direction of a socket. A second used to take the first's place:
    /// the first was never resumed (a leaked continuation, a task hung for ever). Now it stops a debug
    /// build at once, which the test sees as a crash of its child process. The old loop hung instead:
    /// after 10 s the child exits 0, which fails the test.
    @Test("a second task waiting to read one socket stops a debug build instead of hanging the first")
    func secondWaiterStops() async {
        await #expect(processExitsWith: .failure) {
            Task.detached {
                try await Task.sleep(for: .seconds(10))
                exit(0)
            }
            let (sender, receiver) = try await loopbackPair()
            _ = sender
            async let first = receiver.receive(timeout: .seconds(20))
            async let second = receiver.receive(timeout: .seconds(20))
            _ = try await (first, second)
        }
    }
}
