import Testing

@testable import NetlabProcesses
@testable import NetlabSockets

@Suite("Line reader", .machineShare)
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

    @Test("a message of exactly the maximum, then a pause, is one whole message, not an overlong one")
    func exactlyTheMaximum() async throws {
        let messages = try await read(
            [[UInt8](repeating: 121, count: 100), Array("os\n".utf8)], maxLineBytes: 100,
            pauseBetween: .milliseconds(600))
        #expect(messages.map(\.text.count) == [100, 2])
        #expect(messages.map(\.ending) == [.pause, .lineEnd])
    }

    @Test("once a peer has ended a line, a line sent in pieces with pauses between stays one message")
    func linesAfterALineEnd() async throws {
        let messages = try await read(
            [Array("hello\nrm notes".utf8), Array(".bak\n".utf8)], pauseBetween: .milliseconds(600))
        #expect(messages.map(\.string) == ["hello", "rm notes.bak"])
        #expect(messages.map(\.ending) == [.lineEnd, .lineEnd])
    }

    @Test("after forgetLineEnds (a chat login), a pause ends a message again until the next line end")
    func forgetLineEnds() async throws {
        let messages = try await read(
            [Array("alice lobby\nhi".utf8), Array("there\nsplit ".utf8), Array("line\n".utf8)],
            pauseBetween: .milliseconds(600), forgettingLineEndsAfterFirst: true)
        #expect(messages.map(\.string) == ["alice lobby", "hi", "there", "split line"])
        #expect(messages.map(\.ending) == [.lineEnd, .pause, .lineEnd, .lineEnd])
    }

    @Test("a reader that only shows its peer's lines (locksToLines false) still ends messages at pauses")
    func clientSideReader() async throws {
        let messages = try await read(
            [Array("Welcome\nHello".utf8), Array("World\n".utf8)], pauseBetween: .milliseconds(600),
            locksToLines: false)
        #expect(messages.map(\.string) == ["Welcome", "Hello", "World"])
    }

    @Test("an overlong line ends only at its line end: a pause inside it ends nothing")
    func overlongLineIgnoresPauses() async throws {
        let messages = try await read(
            [[UInt8](repeating: 120, count: 101), Array("rm x\nnext\n".utf8)], maxLineBytes: 100,
            pauseBetween: .milliseconds(600))
        #expect(messages.map(\.ending) == [.overlong, .overlong, .lineEnd, .lineEnd])
        #expect(messages.map(\.text.count) == [100, 1, 4, 4])
        #expect(messages.last?.string == "next")
    }

    @Test("a pause never cuts a UTF-8 character in two")
    func pauseKeepsCharactersWhole() async throws {
        let word = Array("héllo".utf8)  // h, then é as C3 A9
        let messages = try await read([Array(word[..<2]), Array(word[2...])], pauseBetween: .milliseconds(600))
        #expect(messages.map(\.string) == ["h", "éllo"])
        #expect(LineReader.unfinishedCharacterLength(ArraySlice(Array("中".utf8).prefix(2))) == 2)
        #expect(LineReader.unfinishedCharacterLength(ArraySlice(Array("中".utf8))) == 0)
        #expect(LineReader.unfinishedCharacterLength(ArraySlice([0x61, 0xF0, 0x9F])) == 2)
        #expect(LineReader.unfinishedCharacterLength(ArraySlice([0xFF])) == 0)
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
}
