import Testing

@testable import NetlabProcesses
@testable import NetlabSockets

/// The reader over a real socket; the pause rules themselves are `LineDecoderTests`'.
@Suite("Line reader", .machineShare, .tags(.integration), .tags(.integration))
struct LineReaderTests {
    /// Sends `chunks` one send at a time (with a pause between when asked) and reads every message.
    private func read(
        _ chunks: [[UInt8]], maxLineBytes: Int = 100, pauseBetween: Duration? = nil, locksToLines: Bool = true,
        forgettingLineEndsAfterFirst: Bool = false
    ) async throws -> [Message] {
        try await withTimeout {
            let (sender, receiver) = try await loopbackPair()
            defer { receiver.close() }
            let (senderPort, receiverPort) = (try sender.localAddress.port, try receiver.localAddress.port)
            let writer = Task {
                for chunk in chunks {
                    try await sender.send(chunk)
                    guard let pauseBetween else { continue }
                    // The pause counts from when the reader has taken the bytes (the kernel's table shows
                    // none unread), not from the send: a busy machine may start the reader late.
                    try await waitUntil(within: 5) {
                        let table = KernelTCPTable.read()
                        return
                            (table?.entries.first { $0.localPort == receiverPort && $0.remotePort == senderPort }?
                            .unreadBytes ?? 0) == 0
                    }
                    try await Task.sleep(for: pauseBetween)
                }
                sender.close()
            }
            // Read on the socket's own event loop, as a server does, so a busy test machine cannot
            // delay the reader past the sender's pause.
            let messages = try await withTaskExecutorPreference(receiver.loop) {
                var reader = LineReader(
                    receiver, maxLineBytes: maxLineBytes, pause: .milliseconds(300), locksToLines: locksToLines)
                var messages: [Message] = []
                while let message = try await reader.next() {
                    if messages.isEmpty, forgettingLineEndsAfterFirst { reader.forgetLineEnds() }
                    messages.append(message)
                }
                return messages
            }
            try await writer.value
            return messages
        }
    }

    private let text = Array("first\nsecond\r\nthird\n".utf8)
    private var expected: [Message] {
        [
            Message(text: Array("first".utf8), terminator: [10], ending: .lineEnd),
            Message(text: Array("second".utf8), terminator: [13, 10], ending: .lineEnd),
            Message(text: Array("third".utf8), terminator: [10], ending: .lineEnd),
        ]
    }

    @Test("all at once, byte by byte, or one line per send: the same lines")
    func sameLinesHoweverSplit() async throws {
        #expect(try await read([text]) == expected)
        #expect(try await read(text.map { [$0] }) == expected)
        #expect(try await read([Array("first\n".utf8), Array("second\r\n".utf8), Array("third\n".utf8)]) == expected)
    }

    @Test("bytes without a line end followed by a pause are one message")
    func pauseEndsAMessage() async throws {
        let messages = try await read(
            [Array("no newline".utf8), Array("next\n".utf8)], pauseBetween: .milliseconds(600))
        #expect(messages.map(\.string) == ["no newline", "next"])
        #expect(messages.map(\.ending) == [.pause, .lineEnd])
    }

    @Test("a line longer than the maximum comes out in pieces marked overlong, never more than the maximum")
    func overlongLine() async throws {
        let messages = try await read([[UInt8](repeating: 65, count: 250) + [10]], maxLineBytes: 100)
        #expect(messages.map(\.text.count) == [100, 100, 50])
        #expect(messages.map(\.ending) == [.overlong, .overlong, .lineEnd])
    }

    @Test("what is left when the peer closes is the last message")
    func leftoverAtClose() async throws {
        let messages = try await read([Array("one\ntwo".utf8)])
        #expect(messages.map(\.string) == ["one", "two"])
        #expect(messages.map(\.ending) == [.lineEnd, .closed])
    }

    @Test("the caller's deadline throws WaitTimeout and leaves a partial line for the next read")
    func deadlineKeepsThePartialLine() async throws {
        try await withTimeout {
            let (sender, receiver) = try await loopbackPair()
            defer { receiver.close() }
            var reader = LineReader(receiver, pause: .milliseconds(300))
            await #expect(throws: WaitTimeout.self) {
                _ = try await reader.next(before: .now + .milliseconds(50))
            }
            try await sender.send(Array("ready\nhal".utf8))
            #expect(try await reader.next(before: .now + .seconds(5))?.string == "ready")
            // The peer speaks in lines now: no pause ends "hal", so the deadline leaves it in place.
            await #expect(throws: WaitTimeout.self) {
                _ = try await reader.next(before: .now + .milliseconds(400))
            }
            try await sender.send(Array("f\n".utf8))
            sender.close()
            #expect(try await reader.next(before: .now + .seconds(5))?.string == "half")
            #expect(try await reader.next(before: .now + .seconds(5)) == nil)
        }
    }
}
