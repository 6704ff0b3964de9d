import Foundation
import Synchronization
import Testing

@testable import NetlabSockets
@testable import NetlabTopics

@Suite("bench rr", .machineShare, .tags(.integration, .slow))
struct RoundTripBenchmarkTests {
    /// Runs the generator, which blocks its thread as `netlab bench rr` does, on a thread of its own:
    /// on one of the concurrency pool's few threads it would hold back the servers' tasks.
    private func measure(port: Int, connections: Int) async throws -> RoundTripBenchmark.Result {
        let benchmark = RoundTripBenchmark(
            host: "127.0.0.1", port: port, connections: connections, duration: .milliseconds(300),
            warmup: .milliseconds(100), message: "hello")
        return try await withTimeout(20) {
            try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Result { try benchmark.run() }) }.start()
            }
        }
    }

    @Test("every round trip it counts is a request the server answered")
    func countsAnsweredRequests() async throws {
        let requests = Atomic<Int>(0)
        let server = try TCPServer(
            host: "127.0.0.1", port: 0, reply: .timestamp, console: .capture(), logsConnections: false,
            onMessage: { message in
                if message.text == Array("hello".utf8) { requests.add(1, ordering: .relaxed) }
            })
        let port = try server.localAddress.port
        let serving = Task { try await server.run() }
        defer {
            serving.cancel()
            server.close()
        }
        let result = try await measure(port: port, connections: 20)
        #expect(result.errors == 0)
        #expect(result.connections == 20)
        #expect(result.roundTrips > 20)
        // The warm-up's requests are answered but not counted.
        #expect(requests.load(ordering: .relaxed) >= result.roundTrips)
        #expect(result.p50Microseconds > 0 && result.p50Microseconds <= result.p99Microseconds)
        #expect(result.p99Microseconds <= result.maxMicroseconds * 1.02)
    }

    @Test("a server that hangs up instead of replying makes one error per connection, and no hang")
    func hangUpsAreErrors() async throws {
        let listener = try Socket.listening(host: "127.0.0.1", port: 0)
        let port = try listener.localAddress.port
        let serving = Task(executorPreference: listener.loop) {
            while let client = try? await listener.accept() {
                Task(executorPreference: client.loop) {
                    _ = try? await client.receive(timeout: .seconds(5))
                    client.close()
                }
            }
        }
        defer {
            serving.cancel()
            listener.close()
        }
        let result = try await measure(port: port, connections: 5)
        #expect(result.errors == 5)
        #expect(result.roundTrips == 0)
    }

    @Test("nothing listening is ECONNREFUSED, with the address")
    func refused() async throws {
        let port = try closedPort()
        await #expect(throws: SocketError.connectionRefused(host: "127.0.0.1", port: port, transport: .tcp)) {
            try await measure(port: port, connections: 3)
        }
    }
}
