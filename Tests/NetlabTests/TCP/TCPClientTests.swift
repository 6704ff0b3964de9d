import NetlabSockets
import Testing

/// Against netlab's own servers these tests send line ends (`--eol lf`): without them a message ends
/// at a 30 ms pause, which a heavily loaded test machine can miss, joining two messages. The seeds'
/// way, without line ends, is tested against a Python server in PeerTests.
@Suite("TCP client", .machineShare, .tags(.integration))
struct TCPClientTests {
    @Test("the client prints the greeting and each reply, and stops at an empty line")
    func helloConversation() async throws {
        let server = try RunningServer.tcp(.hello)
        defer { server.stop() }
        let result = await runCLI(
            ["tcp", "client", "--port", "\(server.port)", "--eol", "lf"], input: "Michael\nTracy\n\nnot sent\n")
        #expect(result.status == 0)
        #expect(result.out == "Welcome!\nHello, Michael!\nHello, Tracy!\n")
    }

    @Test("the client says so when the server closes the connection")
    func serverCloses() async throws {
        let server = try RunningServer.tcp(.hello)
        defer { server.stop() }
        let result = await runCLI(
            ["tcp", "client", "--port", "\(server.port)", "--eol", "lf"], input: "Sarah\nexit\nlost\n")
        #expect(result.status == 0)
        #expect(result.out == "Welcome!\nHello, Sarah!\n")
        #expect(result.err == "the server closed the connection\n")
    }

    @Test("a server that hangs up before answering a line is an error, naming the line")
    func serverHangsUp() async throws {
        let listener = try Socket.listening(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let port = try listener.localAddress.port
        let hangUp = Task {
            let client = try await listener.accept()
            _ = try await client.receive(timeout: .seconds(5))
            client.close()
        }
        let result = await runCLI(["tcp", "client", "--port", "\(port)"], input: "one\ntwo\n")
        _ = try await hangUp.value
        #expect(result.status == 1)
        #expect(result.err == "netlab: the server closed the connection without answering 'one'\n")
    }

    @Test("the client reads input to its end without an empty line")
    func endOfInput() async throws {
        let server = try RunningServer.tcp(.upper)
        defer { server.stop() }
        let result = await runCLI(["tcp", "client", "--port", "\(server.port)", "--eol", "lf"], input: "one\ntwo")
        #expect(result.status == 0)
        #expect(result.out == "ONE\nTWO\n")
    }
}
