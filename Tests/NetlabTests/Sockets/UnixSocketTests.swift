import Foundation
import NetlabSockets
import NetlabTopics
import Testing

@Suite("Unix domain sockets", .machineShare, .tags(.integration))
struct UnixSocketTests {
    /// A fresh socket path in a folder of the test's own, removed with it.
    private final class Scratch: @unchecked Sendable {
        // @unchecked Sendable: immutable after init.
        let folder: String
        init() throws {
            folder = "/tmp/netlab-unix-\(UInt32.random(in: .min ... .max))"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        func path(_ name: String = "s.sock") -> String { folder + "/" + name }
        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    @Test("a TCP server on a Unix stream socket greets and answers as it does on a port")
    func streamServer() async throws {
        let scratch = try Scratch()
        let server = try TCPServer(at: .unix(path: scratch.path()), reply: .hello, console: .capture())
        let task = Task { try await server.run() }
        defer {
            task.cancel()
            server.close()
        }
        #expect(try server.localAddress.unixPath == scratch.path())
        try await withTimeout {
            let socket = try await Socket.connected(unixPath: scratch.path())
            defer { socket.close() }
            var reader = LineReader(socket, pause: nil)
            #expect(try await reader.next()?.string == "Welcome!")
            try await socket.send("bob\n")
            #expect(try await reader.next()?.string == "Hello, bob!")
        }
    }

    @Test("a UDP server on a Unix datagram socket answers a client bound to a path of its own")
    func datagramServer() async throws {
        let scratch = try Scratch()
        let server = try UDPServer(at: .unix(path: scratch.path()), reply: .upper, console: .capture())
        let task = Task { try await server.run() }
        defer {
            task.cancel()
            server.close()
        }
        try await withTimeout {
            let client = try await Socket.connected(unixPath: scratch.path(), kind: .udp)
            let own = try #require(client.localAddress.unixPath)
            #expect(!own.isEmpty)
            try await client.send(Array("hello".utf8), to: nil)
            let (reply, sender) = try await client.receiveDatagram(timeout: .seconds(5))
            #expect(reply == Array("HELLO".utf8))
            #expect(sender.unixPath == scratch.path())
            client.close()
            #expect(!FileManager.default.fileExists(atPath: own), "the client's socket file is removed on close")
        }
    }

    @Test("the socket file is removed when the server closes")
    func removedOnClose() throws {
        let scratch = try Scratch()
        let socket = try Socket.listening(unixPath: scratch.path())
        #expect(FileManager.default.fileExists(atPath: scratch.path()))
        socket.close()
        #expect(!FileManager.default.fileExists(atPath: scratch.path()))
    }

    @Test("a stale socket file (no server behind it) is replaced")
    func staleReplaced() throws {
        let scratch = try Scratch()
        // A server killed with SIGKILL leaves its file: made here by binding and closing a bare socket.
        let python = "import socket; s = socket.socket(socket.AF_UNIX); s.bind('\(scratch.path())')"
        guard Tools.isInstalled("python3") else { return }
        let maker = Process()
        maker.executableURL = URL(fileURLWithPath: Tools.path(of: "python3")!)
        maker.arguments = ["-c", python]
        try maker.run()
        maker.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: scratch.path()))
        let socket = try Socket.listening(unixPath: scratch.path())
        socket.close()
    }

    @Test("a live server's socket and a regular file are refused and left untouched")
    func refused() throws {
        let scratch = try Scratch()
        let live = try Socket.listening(unixPath: scratch.path())
        defer { live.close() }
        #expect {
            try Socket.listening(unixPath: scratch.path())
        } throws: { error in
            "\(error)"
                == "a server is already listening on \(scratch.path()) (EADDRINUSE) — stop it, or choose another --unix path"
        }
        let file = scratch.path("notes.txt")
        try "keep me".write(toFile: file, atomically: true, encoding: .utf8)
        #expect {
            try Socket.boundDatagram(unixPath: file)
        } throws: { error in
            "\(error)".hasPrefix("\(file) exists and is not a socket — netlab leaves it untouched")
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep me")
        #expect(throws: SocketError.self) {
            try Socket.listening(unixPath: scratch.path(String(repeating: "x", count: 120)))
        }
    }

    @Test("netlab tcp server --unix: the first line names the file, a client talks, and SIGTERM removes the file")
    func commandLine() async throws {
        let scratch = try Scratch()
        let server = try TestProcess.netlab(["tcp", "server", "--unix", scratch.path(), "--reply", "upper"])
        defer { server.stop() }
        #expect(try await server.firstLine() == "listening on \(scratch.path()) (unix stream)")
        let client = try TestProcess.netlab(["tcp", "client", "--unix", scratch.path()])
        defer { client.stop() }
        client.write("hello\n")
        client.closeInput()
        #expect(try await client.wait() == 0)
        #expect(client.stdout == "HELLO\n")
        kill(server.process.processIdentifier, SIGTERM)
        _ = try? await server.wait()
        #expect(!FileManager.default.fileExists(atPath: scratch.path()))
    }
}
