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
}
