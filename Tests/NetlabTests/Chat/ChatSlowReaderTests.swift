import Foundation
import NetlabKit
import Testing

/// Back-pressure: a client that never reads is cut off; the others carry on.
@Suite("Chat server, slow readers")
struct ChatSlowReaderTests {
    @Test("a reader that never reads is disconnected with a log line, and the room carries on")
    func slowReader() async throws {
        let console = Console.capture()
        let server = try ChatServer(
            host: "127.0.0.1", port: 0, chatProtocol: .rooms, maxQueueBytes: 64 * 1024, console: console)
        let port = try server.localAddress.port
        let task = Task { try await server.run() }
        defer {
            task.cancel()
            server.close()
        }
        try await withTimeout(30) {
            let slow = try await Socket.connected(host: "127.0.0.1", port: port)
            defer { slow.close() }
            try slow.setReceiveBufferSize(4096)
            try await slow.send("slow room\n")  // and then never reads
            var talker = try await LineClient.connect(port: port)
            defer { talker.close() }
            try await talker.send("talker room\n")
            #expect(try await talker.readLine() == "success")
            let body = String(repeating: "z", count: 500)
            var lines = 0
            while !console.capturedErr.contains("slow reads too slowly"), lines < 20_000 {
                try await talker.send("\(lines) \(body)\n")
                lines += 1
            }
            #expect(console.capturedErr.contains("slow reads too slowly (over 65536 bytes queued); disconnected"))
            // The talker is still served: it gets an answer to /who after all that.
            try await talker.send("/who\n")
            var answer: String?
            repeat { answer = try await talker.readLine() } while answer != nil && !answer!.hasPrefix("* in ")
            #expect(answer == "* in room: talker")
        }
    }

    @Test("1,000 clients in 10 rooms leaving at once: the server logs each and keeps serving the rest")
    func thousandLeaveAtOnce() async throws {
        Socket.raiseOpenFileLimit()
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        try await withTimeout(60) {
            var stayer = try await chat.join("stayer r0")
            #expect(try await stayer.readLine() == "success")
            // Join in batches of 100, each client waiting for its own success.
            var crowd: [LineClient] = []
            for batch in 0..<10 {
                try await withThrowingTaskGroup(of: LineClient.self) { group in
                    for index in 0..<100 {
                        group.addTask {
                            var client = try await chat.join("u\(batch * 100 + index) r\(index % 10)")
                            let answer = try await client.readLine()
                            #expect(
                                answer == "success", "u\(batch * 100 + index): \(chat.console.capturedErr.suffix(300))")
                            return client
                        }
                    }
                    for try await client in group { crowd.append(client) }
                }
            }
            #expect(crowd.count == 1000)
            for client in crowd { client.close() }
            // Everyone else left; the stayer still chats: /who answers with it alone, once all leaves are done.
            let deadline = ContinuousClock.now + .seconds(30)
            var answer: String?
            while ContinuousClock.now < deadline {
                try await stayer.send("/who\n")
                repeat { answer = try await stayer.readLine() } while answer != nil && !answer!.hasPrefix("* in ")
                if answer == "* in r0: stayer" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(answer == "* in r0: stayer")
            // Each leave is logged once its connection is closed, just after it left the room.
            func leavesLogged() -> Int { chat.console.capturedErr.components(separatedBy: " left\n").count - 1 }
            while leavesLogged() < 1000, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(leavesLogged() == 1000)
            stayer.close()
        }
    }
}
