import Foundation
import NetlabSockets
import NetlabTopics
import Testing

/// `--encoding auto`: a GBK client (seed 003's programs write Chinese in GBK) and a UTF-8 one read each other.
@Suite("Chat encodings", .machineShare)
struct ChatEncodingTests {
    @Test("GBK and UTF-8 round trips, and detection")
    func codec() {
        let gbk = ChatEncoding.gbk.encode("小明: 你好")
        #expect(gbk == [0xD0, 0xA1, 0xC3, 0xF7, 0x3A, 0x20, 0xC4, 0xE3, 0xBA, 0xC3])
        #expect(ChatEncoding.gbk.decode(gbk) == "小明: 你好")
        #expect(ChatEncoding.detect(gbk) == .gbk)
        #expect(ChatEncoding.detect(Array("你好".utf8)) == .utf8)
        #expect(ChatEncoding.detect(Array("plain".utf8)) == .utf8)
        #expect(ChatEncoding.detect([0xFF, 0xFF]) == nil)
    }

    /// A raw client that logs in and talks in GBK, with line ends.
    private func gbkClient(port: Int, login: String) async throws -> Socket {
        let socket = try await Socket.connected(host: "127.0.0.1", port: port, timeout: .seconds(5))
        try await socket.send(ChatEncoding.gbk.encode(login + "\n"))
        return socket
    }

    private func receive(_ socket: Socket, until expected: [UInt8]) async throws -> [UInt8] {
        var received: [UInt8] = []
        while !received.ends(with: expected) {
            let chunk = try await socket.receive(timeout: .seconds(10))
            if chunk.isEmpty { break }
            received += chunk
        }
        return received
    }

    @Test(
        "rooms: a GBK member and a UTF-8 member each get the other's Chinese in their own encoding", .tags(.integration)
    )
    func roomsMixed() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        let xiaoming = try await gbkClient(port: chat.port, login: "小明 大厅")
        defer { xiaoming.close() }
        _ = try await receive(xiaoming, until: Array("success\n".utf8))
        var bob = try await chat.join("bob 大厅")
        #expect(try await bob.readLine() == "success")
        try await xiaoming.send(ChatEncoding.gbk.encode("你好\n"))
        let line = try await readUntil(&bob) { $0.contains("你好") }
        #expect(line.hasSuffix("] 小明: 你好"), "UTF-8 for bob: \(line)")
        try await bob.send("世界\n")
        let got = try await receive(xiaoming, until: ChatEncoding.gbk.encode("bob: 世界\n"))
        #expect(ChatEncoding.gbk.decode(got)?.hasSuffix("] bob: 世界\n") == true)
        bob.close()
    }

    @Test(
        "direct: a GBK nickname is reachable by a UTF-8 sender, and --encoding utf-8 refuses GBK text",
        .tags(.integration))
    func directMixed() async throws {
        let chat = try ChatFixture(.direct)
        defer { chat.stop() }
        let xiaoming = try await gbkClient(port: chat.port, login: "小明")
        defer { xiaoming.close() }
        try await waitFor("小明 joined", in: { chat.console.capturedErr })
        let bob = try await chat.join("bob")
        try await waitFor("bob joined", in: { chat.console.capturedErr })
        try await bob.send("小明:早上好\n")
        let got = try await receive(xiaoming, until: ChatEncoding.gbk.encode("bob:早上好\n"))
        #expect(got == ChatEncoding.gbk.encode("bob:早上好\n"))
        bob.close()

        let strict = Console.capture()
        let server = try ChatServer(
            host: "127.0.0.1", port: 0, chatProtocol: .direct, encoding: .utf8, console: strict)
        let task = Task { try await server.run() }
        defer {
            task.cancel()
            server.close()
        }
        let refused = try await gbkClient(port: try server.localAddress.port, login: "小明")
        defer { refused.close() }
        let answer = try await receive(refused, until: Array("\n".utf8))
        #expect(String(decoding: answer, as: UTF8.self).hasPrefix("error: the login line must be text (utf-8)"))
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
