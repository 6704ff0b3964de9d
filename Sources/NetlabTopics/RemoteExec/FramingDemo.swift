import NetlabSockets

/// `netlab framing demo`: sticky packets [粘包] happening on loopback, then the fix (seed 004).
///
/// Everything runs in this process over a real TCP connection, so what each `recv` returns is what
/// a student's program would get. See lessons/07-sticky-packets.md.
package enum FramingDemo {
    package static func run(console: Console) async throws {
        let (sender, receiver) = try await connectedPair()
        defer {
            sender.close()
            receiver.close()
        }

        console.out("== 1. Small messages glued together ==")
        for message in ["date", "os", "ls"] {
            try await sender.send(message)
            console.out("sender   send(\(quote(message)))  \(message.utf8.count) bytes")
        }
        try await Task.sleep(for: .milliseconds(100))  // the receiver is a little slow, as real programs are
        let glued = try await receiver.receive(maxBytes: 1024, timeout: .seconds(2))
        console.out("receiver recv(1024) → \(glued.count) bytes: \(quote(glued))")
        console.out("         three commands arrived as one message: TCP is a stream of bytes, not of messages.")
        console.out("")

        console.out("== 2. A long answer cut in two: the next command reads the rest of the last answer ==")
        let longAnswer = (1...200).map { "file-\($0).txt" }.joined(separator: "\n") + "\n"
        let shortAnswer = "Tue Nov 24 12:00:00 2026\n"
        console.out("client   sends 'ls'; the server answers \(longAnswer.utf8.count) bytes")
        try await sender.send(longAnswer)
        try await Task.sleep(for: .milliseconds(50))
        let first = try await receiver.receive(maxBytes: 1024, timeout: .seconds(2))
        console.out("client   recv(1024) → \(first.count) bytes, ending \(quote(first.suffix(24)))")
        console.out("client   sends 'date'; the server answers \(shortAnswer.utf8.count) bytes: \(quote(shortAnswer))")
        try await sender.send(shortAnswer)
        try await Task.sleep(for: .milliseconds(50))
        let second = try await receiver.receive(maxBytes: 1024, timeout: .seconds(2))
        console.out("client   recv(1024) → \(second.count) bytes, starting \(quote(second.prefix(24)))")
        console.out("         the answer to 'date' is the rest of the answer to 'ls' [答非所问].")
        // Drain what is left, so part 3 starts clean.
        var leftover = second.count + first.count
        while leftover < longAnswer.utf8.count + shortAnswer.utf8.count {
            leftover += try await receiver.receive(maxBytes: 1024, timeout: .seconds(2)).count
        }
        console.out("")

        console.out("== 3. The fix: a 4-byte big-endian header length, a JSON header with total_size, the payload ==")
        var decoder = FrameDecoder()
        for answer in [longAnswer, shortAnswer] {
            let frame = try Frame(encoding: ["total_size": answer.utf8.count], payload: Array(answer.utf8))
            let bytes = frame.bytes
            console.out(
                "server   sends a frame: length \(hex(bytes.prefix(4))) = \(frame.header.count), header "
                    + "\(String(decoding: frame.header, as: UTF8.self)), \(frame.payload.count) bytes of payload")
            try await sender.send(bytes)
        }
        try await Task.sleep(for: .milliseconds(50))
        var frames = 0
        while frames < 2 {
            let chunk = try await receiver.receive(maxBytes: 1024, timeout: .seconds(2))
            console.out("client   recv(1024) → \(chunk.count) bytes")
            decoder.append(chunk)
            while let frame = try decoder.next() {
                frames += 1
                let text = String(decoding: frame.payload, as: UTF8.self)
                let shown = text.count <= 40 ? quote(text) : "ending " + quote(text.suffix(24))
                console.out("client   whole frame \(frames): \(frame.payload.count) bytes, \(shown)")
            }
        }
        console.out("         each answer is read whole, however the bytes arrive.")
        console.out("")
        console.out("Next: 'netlab rexec server' and 'netlab rexec client -- ls' use these frames.")
    }

    private static func connectedPair() async throws -> (Socket, Socket) {
        let listener = try Socket.listening(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        async let accepted = listener.accept()
        let sender = try await Socket.connected(host: "127.0.0.1", port: try listener.localAddress.port)
        return (sender, try await accepted)
    }

    private static func quote(_ text: some StringProtocol) -> String {
        "\"" + text.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    private static func quote(_ bytes: some Collection<UInt8>) -> String {
        quote(String(decoding: Array(bytes), as: UTF8.self))
    }

    private static func hex(_ bytes: some Collection<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }
}
