import Foundation
import Testing

@testable import NetlabSockets

@Suite("Socket core", .machineShare, .tags(.integration))
struct SocketCoreTests {
    /// The C socket calls that only NetlabSockets/Syscalls.swift may make, in every module of Sources.
    static let socketCalls = [
        "socket", "bind", "listen", "accept", "accept4", "connect", "send", "recv", "sendto", "recvfrom",
        "shutdown", "setsockopt", "getsockopt", "getaddrinfo", "getservbyname", "getnameinfo", "getsockname",
        "getpeername", "poll", "epoll_create1", "epoll_ctl", "epoll_wait", "eventfd", "cnetlab_accept4",
    ]

    @Test("only NetlabSockets/Syscalls.swift calls the C library's socket functions")
    func glibcInOnePlace() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")
        let names = Self.socketCalls.joined(separator: "|")
        // A call by bare or module-qualified name: not a method (`.send(`); declarations are removed first.
        let pattern = try Regex("(^|[^\\w.])(Glibc\\.)?(\(names))\\(")
        let declaration = /func \w+\(/
        let stringLiteral = /"(?:[^"\\]|\\.)*"/
        let files = FileManager.default.enumerator(atPath: sources.path)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 20)
        var offenders: [String] = []
        for file in files where file != "NetlabSockets/Syscalls.swift" {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            var isInTextBlock = false  // inside a multi-line string literal: prose, not code
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line.contains("\"\"\"") {
                    isInTextBlock.toggle()
                    continue
                }
                if isInTextBlock || line.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
                // The regular expression is slow in a debug build; most lines name no call at all.
                guard Self.socketCalls.contains(where: { line.contains($0 + "(") }) else { continue }
                if line.replacing(declaration, with: "").replacing(stringLiteral, with: "\"\"").contains(pattern) {
                    offenders.append("\(file):\(number + 1): \(line)")
                }
            }
        }
        #expect(offenders.isEmpty, "socket calls outside Syscalls.swift:\n\(offenders.joined(separator: "\n"))")
        // The scan itself finds calls: Syscalls.swift has them.
        let syscalls = try String(
            contentsOf: sources.appendingPathComponent("NetlabSockets/Syscalls.swift"), encoding: .utf8)
        #expect(syscalls.contains(pattern))
    }

    @Test("a receive that waits too long times out with a sentence, and the socket still works")
    func receiveTimeout() async throws {
        let (sender, receiver) = try await loopbackPair()
        defer {
            sender.close()
            receiver.close()
        }
        await #expect(throws: SocketError.self) { try await receiver.receive(timeout: .milliseconds(100)) }
        try await sender.send("late\n")
        #expect(try await receiver.receive(timeout: .seconds(5)) == Array("late\n".utf8))
    }

    @Test("closing a socket wakes the task waiting on it")
    func closeWakesWaiter() async throws {
        let (sender, receiver) = try await loopbackPair()
        defer { sender.close() }
        let waiting = Task { try await receiver.receive(timeout: .seconds(30)) }
        try await waitUntil(within: 5) { receiver.hasReadWaiter }
        receiver.close()
        await #expect(throws: CancellationError.self) { try await withTimeout(5) { try await waiting.value } }
    }

    @Test("cancelling a task cancels its wait on a socket")
    func cancellation() async throws {
        let (sender, receiver) = try await loopbackPair()
        defer {
            sender.close()
            receiver.close()
        }
        let waiting = Task { try await receiver.receive(timeout: .seconds(30)) }
        try await waitUntil(within: 5) { receiver.hasReadWaiter }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await withTimeout(5) { try await waiting.value } }
    }

    @Test("connecting to a closed port is ECONNREFUSED with the address in the message")
    func refused() async throws {
        let port = try closedPort()
        await #expect(throws: SocketError.connectionRefused(host: "127.0.0.1", port: port, transport: .tcp)) {
            try await Socket.connected(host: "127.0.0.1", port: port)
        }
    }

    @Test("a peer that vanished shows up as an error on send, never as SIGPIPE")
    func noSIGPIPE() async throws {
        let (sender, receiver) = try await loopbackPair()
        receiver.close()
        defer { sender.close() }
        await #expect(throws: SocketError.self) {
            for _ in 0..<100 {
                try await sender.send([UInt8](repeating: 1, count: 65_536))
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }
}
