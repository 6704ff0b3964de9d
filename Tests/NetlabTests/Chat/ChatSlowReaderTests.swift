import Foundation
import NetlabSockets
import NetlabTopics
import Testing

/// Back-pressure: a client that never reads is cut off; the others carry on.
@Suite("Chat server, slow readers", .machineShare, .tags(.integration, .slow))
struct ChatSlowReaderTests {
    @Test("a reader that never reads is disconnected after the stall timeout, and the room carries on")
    func slowReader() async throws {
        let console = Console.capture()
        let server = try ChatServer(
            host: "127.0.0.1", port: 0, chatProtocol: .rooms, maxQueueBytes: 64 * 1024, stallTimeout: .seconds(1),
            console: console)
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
            // The talker is slowed down (its lines are not read) while the slow reader holds it up, then goes on.
            while !console.capturedErr.contains("slow read nothing"), lines < 20_000 {
                try await talker.send("\(lines) \(body)\n")
                lines += 1
            }
            #expect(console.capturedErr.contains("slow read nothing for 1 s; disconnected"))
            // The talker is still served: it gets an answer to /who after all that.
            try await talker.send("/who\n")
            var answer: String?
            repeat { answer = try await talker.readLine() } while answer != nil && !answer!.hasPrefix("* in ")
            #expect(answer == "* in room: talker")
        }
    }

    @Test("a fast sender is slowed to a steady reader's pace: the reader gets every line, in order, and stays")
    func fastSenderSteadyReader() async throws {
        let chat = try ChatFixture(.rooms, maxQueue: 64 * 1024, stallTimeout: .seconds(5))
        defer { chat.stop() }
        try await withTimeout(60) {
            // A reader with a small receive buffer reads steadily, however fast the lines come.
            let readerSocket = try await Socket.connected(host: "127.0.0.1", port: chat.port)
            try readerSocket.setReceiveBufferSize(64 * 1024)
            var reader = LineClient(
                socket: readerSocket, reader: LineReader(readerSocket, maxLineBytes: 1 << 20, pause: nil))
            defer { reader.close() }
            try await reader.send("reader room\n")
            #expect(try await reader.readLine() == "success")
            let sender = try await Socket.connected(host: "127.0.0.1", port: chat.port)
            defer { sender.close() }
            try await sender.send("sender room\n")
            _ = try await readUntil(&reader) { $0.hasSuffix("sender joined the room") }
            // 4 MiB of lines, written as fast as the sender's socket takes them, in one task of its own.
            let body = String(repeating: "x", count: 1000)
            let count = 4000
            let flood = Task {
                var batch = ""
                for index in 0..<count {
                    batch += "\(index) \(body)\n"
                    if batch.utf8.count > 64 * 1024 || index == count - 1 {
                        try await sender.send(batch)
                        batch = ""
                    }
                }
            }
            for expected in 0..<count {
                let line = try #require(try await reader.readLine(), "the reader was cut off at line \(expected)")
                #expect(
                    line.hasSuffix("] sender: \(expected) \(body)"),
                    "line \(expected) out of order: \(line.prefix(50)) … \(line.suffix(20))")
                if !line.hasSuffix("] sender: \(expected) \(body)") { break }
            }
            try await flood.value
            #expect(!chat.console.capturedErr.contains("disconnected"), "\(chat.console.capturedErr.suffix(300))")
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
