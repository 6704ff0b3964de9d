import NetlabKit
import Testing

@Suite("TCP client")
struct TCPClientTests {
    @Test("the client prints the greeting and each reply, and stops at an empty line")
    func helloConversation() async throws {
        let server = try RunningServer.tcp(.hello)
        defer { server.stop() }
        let result = await runCLI(
            ["tcp", "client", "--port", "\(server.port)"], input: "Michael\nTracy\n\nnot sent\n")
        #expect(result.status == 0)
        #expect(result.out == "Welcome!\nHello, Michael!\nHello, Tracy!\n")
    }

    @Test("the client says so when the server closes the connection")
    func serverCloses() async throws {
        let server = try RunningServer.tcp(.hello)
        defer { server.stop() }
        let result = await runCLI(["tcp", "client", "--port", "\(server.port)"], input: "Sarah\nexit\nlost\n")
        #expect(result.status == 0)
        #expect(result.out == "Welcome!\nHello, Sarah!\n")
        #expect(result.err == "the server closed the connection\n")
    }

    @Test("the client reads input to its end without an empty line")
    func endOfInput() async throws {
        let server = try RunningServer.tcp(.upper)
        defer { server.stop() }
        let result = await runCLI(["tcp", "client", "--port", "\(server.port)"], input: "one\ntwo")
        #expect(result.status == 0)
        #expect(result.out == "ONE\nTWO\n")
    }
}
