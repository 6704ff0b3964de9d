import Foundation
import NetlabCLI
import NetlabSockets
import NetlabTopics
import Testing

@Suite("Command server (16-5)", .machineShare, .tags(.integration))
struct CommandServerTests {
    private func withServer(folder: String, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let server = try CommandServer(host: "127.0.0.1", port: 0, folder: folder, console: .capture())
        let port = try server.localAddress.port
        let task = Task { try await server.run() }
        defer {
            task.cancel()
            server.close()
        }
        try await withTimeout { try await body(port) }
    }

    private func makeFolder(_ names: [String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in names {
            _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data())
        }
        return folder
    }

    @Test("date, os, ls and anything else get their one-line answers")
    func commands() async throws {
        let folder = try makeFolder(["b.txt", "a file.txt", "c"])
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withServer(folder: folder.path) { port in
            var client = try await LineClient.connect(port: port)
            defer { client.close() }
            try await client.send("date\n")
            let date = try #require(try await client.readLine())
            #expect(date.wholeMatch(of: /\w{3} \w{3} [ 123]\d \d\d:\d\d:\d\d \d{4}/) != nil, "\(date)")
            try await client.send("os\n")
            let os = try #require(try await client.readLine())
            #expect(os.hasPrefix("Linux "), "\(os)")
            try await client.send("ls\n")
            #expect(try await client.readLine() == #"["a file.txt","b.txt","c"]"#)
            try await client.send("hello\n")
            let other = try #require(try await client.readLine())
            #expect(other.wholeMatch(of: try Regex(timestampPrefix + "hello")) != nil, "\(other)")
        }
    }

    @Test("a request with no newline, as the seed's client sends, is answered after a pause")
    func noNewline() async throws {
        let folder = try makeFolder([])
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withServer(folder: folder.path) { port in
            let socket = try await Socket.connected(host: "127.0.0.1", port: port)
            defer { socket.close() }
            try await socket.send("ls")
            #expect(try await socket.receive(timeout: .seconds(5)) == Array("[]\n".utf8))
        }
    }

    @Test("an overlong request gets one error, and no command runs from its tail")
    func overlongRequest() async throws {
        let folder = try makeFolder(["a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withServer(folder: folder.path) { port in
            var client = try await LineClient.connect(port: port)
            defer { client.close() }
            try await client.send(String(repeating: "x", count: 4096) + "ls\n")
            #expect(try await client.readLine() == "error: a request is at most 4096 bytes")
            try await client.send("ls\n")
            #expect(try await client.readLine() == #"["a"]"#)
        }
    }

    @Test("many clients at once each get their own answers")
    func manyClients() async throws {
        let folder = try makeFolder(["only.txt"])
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withServer(folder: folder.path) { port in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        var client = try await LineClient.connect(port: port)
                        defer { client.close() }
                        try await client.send("ls\n")
                        return try await client.readLine() == #"["only.txt"]"#
                    }
                }
                var good = 0
                for try await ok in group where ok { good += 1 }
                #expect(good == 50)
            }
        }
    }

    @Test("the tail of an overlong request is dropped up to its newline, pauses or not, and the next is answered")
    func overlongTailAfterPause() async throws {
        let folder = try makeFolder(["a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withServer(folder: folder.path) { port in
            var client = try await LineClient.connect(port: port)
            defer { client.close() }
            try await client.send(String(repeating: "x", count: 4096 + 10))
            #expect(try await client.readLine() == "error: a request is at most 4096 bytes")
            try await waitUntilServerHasRead(serverPort: port, clientPort: try client.socket.localAddress.port)
            try await Task.sleep(for: .milliseconds(300))  // ten times the pause that ends a newline-less request
            try await client.send("ls\nos\n")
            let next = try #require(try await client.readLine())
            #expect(next.hasPrefix("Linux "), "\(next)")
        }
    }
}
