import Foundation
import Testing

@testable import NetlabTopics

@Suite("bench fanout", .machineShare)
struct FanoutBenchmarkTests {
    @Test("finds the sender and sequence whatever the server puts before the text")
    func parsesEveryServersLines() {
        let lines = [
            "[Sun Nov 29 03:20:28 2026] user3: ~fanout 3 17 xxxx",  // netlab, the Python anchor
            "<user4> ~fanout 3 17 xxxx",  // ncat --chat
            "(127.0.0.1:40312) - ~fanout 3 17 xxxx",  // NIOChatServer
        ]
        for line in lines {
            let parsed = Array(line.utf8).withUnsafeBufferPointer { FanoutBenchmark.parse($0) }
            #expect(parsed?.sender == 3 && parsed?.sequence == 17, "\(line)")
        }
        for line in ["[ctime] user9 joined the room", "~fanout x 1", "~fanout 3", "~fan 3 17", ""] {
            #expect(Array(line.utf8).withUnsafeBufferPointer { FanoutBenchmark.parse($0) } == nil, "\(line)")
        }
    }

    @Test("every receiver in the room gets every message from a netlab chat server", .tags(.integration))
    func countsDeliveries() async throws {
        try await timed {
            let server = try ChatServer(host: "127.0.0.1", port: 0, chatProtocol: .rooms, console: .capture())
            let port = try server.localAddress.port
            let serving = Task { try await server.run() }
            defer {
                serving.cancel()
                server.close()
            }
            let result = try await withTimeout(30) {
                try await FanoutBenchmark(
                    host: "127.0.0.1", port: port, clients: 12, rooms: 2, login: .rooms, inFlight: [1, 4],
                    // A phase ends after 100 messages, or 3 s on a machine too loaded to send them: a loaded
                    // machine once measured none in a 0.3 s window.
                    duration: .seconds(3), warmup: .milliseconds(100), maxMessages: 100, messageBytes: 64,
                    serverPID: nil
                ).run()
            }
            #expect(result.receiversPerMessage == 5)
            #expect(result.phases.map(\.inFlight) == [1, 4])
            for phase in result.phases {
                #expect(phase.lost == 0)
                #expect(phase.messages > 0)
                // Each message measured reached its 5 receivers; the window may also hold a few deliveries of
                // messages sent just before it opened.
                #expect(phase.deliveries >= phase.messages * 5 - 5 * phase.inFlight)
            }
        }
    }
}
