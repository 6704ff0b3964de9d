import Foundation
import NetlabSockets
import NetlabTopics
import Testing

/// `netlab chat client` against the course's own chat servers (ported to Python 3, kept in
/// Fixtures/seeds/), which compare and store exactly the bytes they receive.
@Suite("Chat client against the seeds' servers", .machineShare, .tags(.integration, .slow))
struct ChatClientSeedTests {
    private static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/seeds")

    private func startSeed(_ script: String) async throws -> (TestProcess, Int) {
        let server = try TestProcess(Tools.path(of: "python3")!, [Self.seeds.appendingPathComponent(script).path, "0"])
        return (server, try await server.listeningPort())
    }

    /// A raw client of the seed's kind: sends without line ends, reads whatever comes.
    private func rawClient(port: Int) async throws -> Socket {
        try await Socket.connected(host: "127.0.0.1", port: port, timeout: .seconds(5))
    }

    private func receiveText(_ socket: Socket, until text: String) async throws -> String {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while !String(decoding: received, as: UTF8.self).contains(text) {
            if ContinuousClock.now > deadline { throw TestTimeout(seconds: 10) }
            let chunk = try await socket.receive(timeout: .seconds(10))
            if chunk.isEmpty { break }
            received += chunk
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Seed 001's cs.py with bob (a raw client of the seed's kind) and alice (`netlab chat client`) in lobby.
    private func roomWithSeedServer(clientOptions: [String] = []) async throws -> (TestProcess, Socket, TestProcess) {
        let (server, port) = try await startSeed("cs.py")
        let bob = try await rawClient(port: port)
        try await bob.send("bob lobby")
        #expect(try await receiveText(bob, until: "success") == "success")
        let alice = try TestProcess.netlab(
            ["chat", "client", "--user", "alice", "--room", "lobby", "--port", "\(port)"] + clientOptions)
        try await waitFor("alice", in: { server.stdout })
        return (server, bob, alice)
    }

    @Test("seed 001's cs.py: the client sends no line ends after a bare 'success', so quit ends its session")
    func seedRoomServer() async throws {
        guard Tools.isInstalled("python3") else { return }
        let (server, bob, alice) = try await roomWithSeedServer()
        defer { [server, alice].forEach { $0.stop() } }
        defer { bob.close() }
        alice.write("hello\n")
        let hello = try await receiveText(bob, until: "alice: hello")
        #expect(hello.hasSuffix("alice: hello"), "no line end sent: \(hello.debugDescription)")
        alice.write("quit\n")
        // The seed compares data == "quit": only then does it tell the room and answer quit.
        let left = try await receiveText(bob, until: "退出房间lobby")
        #expect(left.contains("用户alice在"), "\(left)")
        #expect(try await alice.wait(within: 5) == 0)
    }

    @Test("seed 003's server: the nickname is sent without a line end, so others can reach it by name")
    func seedDirectServer() async throws {
        guard Tools.isInstalled("python3") else { return }
        let (server, port) = try await startSeed("direct_server.py")
        defer { server.stop() }
        let carol = try TestProcess.netlab(["chat", "client", "--nick", "carol", "--port", "\(port)"])
        defer { carol.stop() }
        try await waitFor("用户 carol 连接上了", in: { server.stdout })
        let dave = try await rawClient(port: port)
        defer { dave.close() }
        try await dave.send("dave")
        try await waitFor("用户 dave 连接上了", in: { server.stdout })
        try await dave.send("carol:hello")
        try await waitFor("dave:hello", in: { carol.stdout })
        carol.write("dave:hi\n")
        #expect(try await receiveText(dave, until: "carol:hi") == "carol:hi")
        carol.closeInput()
        #expect(try await carol.wait(within: 5) == 0)
    }

    @Test("--eol lf forces line ends, whatever the server answered")
    func forcedLineEnd() async throws {
        guard Tools.isInstalled("python3") else { return }
        let (server, bob, alice) = try await roomWithSeedServer(clientOptions: ["--eol", "lf"])
        defer { [server, alice].forEach { $0.stop() } }
        defer { bob.close() }
        alice.write("hello\n")
        #expect(try await receiveText(bob, until: "alice: hello\n").hasSuffix("alice: hello\n"))
    }

    @Test("seed 003's GBK: its server's Chinese replies show as text, and --encoding gbk sends Chinese it can read")
    func seedDirectServerGBK() async throws {
        guard Tools.isInstalled("python3") else { return }
        let (server, port) = try await startSeed("direct_server.py")
        defer { server.stop() }
        let carol = try TestProcess.netlab([
            "chat", "client", "--nick", "carol", "--port", "\(port)", "--encoding", "gbk",
        ])
        defer { carol.stop() }
        try await waitFor("用户 carol 连接上了", in: { server.stdout })
        let dave = try await rawClient(port: port)
        defer { dave.close() }
        try await dave.send("dave")
        try await waitFor("用户 dave 连接上了", in: { server.stdout })
        carol.write("dave:你好\n")
        var received: [UInt8] = []
        let expected = ChatEncoding.gbk.encode("carol:你好")
        while received.count < expected.count { received += try await dave.receive(timeout: .seconds(10)) }
        #expect(received == expected, "GBK on the wire, as the seed reads it")
        // To someone offline the seed answers in GBK: shown as Chinese, not mojibake.
        let erin = try TestProcess.netlab(["chat", "client", "--nick", "erin", "--port", "\(port)"])
        defer { erin.stop() }
        try await waitFor("用户 erin 连接上了", in: { server.stdout })
        erin.write("nobody:hi\n")
        try await waitFor("对方已离线,不能接收消息", in: { erin.stdout })
    }
}
