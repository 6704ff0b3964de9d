import Foundation
import NetlabCLI
import NetlabSockets
import NetlabTopics
import Testing

@Suite("UDP server", .machineShare, .tags(.integration))
struct UDPServerTests {
    /// Sends one datagram to the server and returns the reply.
    private func ask(_ port: Int, _ bytes: [UInt8], host: String = "127.0.0.1") async throws -> [UInt8] {
        let address = try Socket.resolve(host: host, port: port, kind: .udp, passive: false)[0]
        let socket = try Socket(.udp, family: address.family)
        defer { socket.close() }
        try await socket.send(bytes, to: address)
        let (reply, sender) = try await socket.receiveDatagram(timeout: .seconds(5))
        #expect(sender.port == port)
        return reply
    }

    @Test("timestamp mode answers each datagram with [ctime] and the data")
    func timestamp() async throws {
        let server = try RunningServer.udp(.timestamp)
        defer { server.stop() }
        let reply = String(
            decoding: try await withTimeout { try await ask(server.port, Array("hello".utf8)) }, as: UTF8.self)
        #expect(reply.wholeMatch(of: try Regex(timestampPrefix + "hello")) != nil, "got \(reply)")
    }

    @Test(
        "echo, upper and hello modes over UDP keep the datagram's line end",
        arguments: [
            (ReplyMode.echo, "Hello\n", "Hello\n"),
            (.upper, "hello, 世界", "HELLO, 世界"),
            (.hello, "Tracy", "Hello, Tracy!"),
            (.hello, "exit\n", "Hello, exit!\n"),
        ])
    func modes(mode: ReplyMode, sent: String, expected: String) async throws {
        let server = try RunningServer.udp(mode)
        defer { server.stop() }
        let reply = try await withTimeout { try await ask(server.port, Array(sent.utf8)) }
        #expect(String(decoding: reply, as: UTF8.self) == expected)
    }

    @Test("many clients at once each get their own reply, and non-UTF-8 bytes are echoed as they are")
    func concurrentClients() async throws {
        let server = try RunningServer.udp(.echo)
        defer { server.stop() }
        try await withTimeout(30) {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for id in 0..<100 {
                    group.addTask {
                        let payload = Array("client \(id)".utf8) + [0xFF, 0x00]
                        return try await ask(server.port, payload) == payload
                    }
                }
                var good = 0
                for try await ok in group where ok { good += 1 }
                #expect(good == 100)
            }
        }
    }

    @Test("the UDP client says plainly when no reply came")
    func noReply() async throws {
        // A bound socket that never answers: the datagrams arrive, nobody replies.
        let silent = try Socket.boundUDP(host: "127.0.0.1", port: 0)
        defer { silent.close() }
        let port = try silent.localAddress.port
        let console = Console.capture(input: "anyone?\n")
        let status = await CLI.run(
            ["udp", "client", "--port", "\(port)", "--timeout", "0.2", "--retries", "1"], console: console)
        #expect(status == 1)
        #expect(
            console.capturedErr
                == "netlab: no reply from 127.0.0.1:\(port) after 2 tries of 0.2 s (UDP) — is the server running? UDP does not tell a sender when nobody listens\n"
        )
    }

    @Test("the UDP client prints each reply")
    func client() async throws {
        let server = try RunningServer.udp(.hello)
        defer { server.stop() }
        let console = Console.capture(input: "Michael\nTracy\n\nnever sent\n")
        let status = await CLI.run(["udp", "client", "--port", "\(server.port)", "--timeout", "5"], console: console)
        #expect(status == 0)
        #expect(console.capturedOut == "Hello, Michael!\nHello, Tracy!\n")
    }
}
