import Foundation
import Testing

/// How a TCP server stops (issue 15): Ctrl-C or SIGTERM stops accepting at once, lets the clients
/// connected finish for a bounded time, then exits 0; a second Ctrl-C stops it at once.
@Suite("Stopping a server", .machineShare, .tags(.integration, .slow))
struct ServerStopTests {
    @Test(
        "after Ctrl-C a server takes no new client but finishes with the connected one, then exits 0",
        arguments: [
            ["tcp", "server", "--port", "0", "--reply", "upper"], ["cmd", "server", "--port", "0"],
        ])
    func finishesConnectedClients(_ command: [String]) async throws {
        let server = try TestProcess.netlab(command)
        defer { server.stop() }
        let port = try await server.listeningPort()
        var client = try await LineClient.connect(port: port)
        defer { client.close() }
        try await client.send("date\n")
        #expect(try await client.readLine() != nil)
        kill(server.process.processIdentifier, SIGINT)
        try await waitFor("stopping (Ctrl-C)", in: { server.stderr })
        // The listener is closed: a new client is refused.
        await #expect(throws: (any Error).self) { try await LineClient.connect(port: port).close() }
        // The connected client is still served.
        try await client.send("date\n")
        #expect(try await client.readLine() != nil, "the connected client was cut off at once")
        #expect(server.process.isRunning)
        client.close()
        #expect(try await server.wait(within: 4) == 0)
        #expect(server.stderr.contains("stopped"))
    }

    @Test("a client that stays is cut off when the grace period ends; the server still exits 0")
    func gracePeriodEnds() async throws {
        let server = try TestProcess.netlab(["tcp", "server", "--port", "0", "--reply", "echo"])
        defer { server.stop() }
        let port = try await server.listeningPort()
        var client = try await LineClient.connect(port: port)
        defer { client.close() }
        try await client.send("hi\n")
        #expect(try await client.readLine() == "hi")
        let signalled = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        try await waitFor("stopping (SIGTERM)", in: { server.stderr })
        #expect(try await server.wait(within: 9) == 0)
        #expect(ContinuousClock.now - signalled >= .seconds(4), "the server did not wait for its client")
        #expect(try await client.readLine() == nil, "the client was not disconnected")
    }

    @Test("a second Ctrl-C stops a server at once")
    func secondInterrupt() async throws {
        let server = try TestProcess.netlab(["chat", "server", "--port", "0"])
        defer { server.stop() }
        let port = try await server.listeningPort()
        let client = try await LineClient.connect(port: port)
        defer { client.close() }
        kill(server.process.processIdentifier, SIGINT)
        try await waitFor("stopping (Ctrl-C)", in: { server.stderr })
        kill(server.process.processIdentifier, SIGINT)
        #expect(try await server.wait(within: 2) == 128 + SIGINT)
    }
}
