/// Reads a TCP byte stream as messages: lines, or bytes followed by a pause.
///
/// TCP delivers bytes, not messages (lessons/03-tcp-sockets.md): one `recv` may return half a line or three.
/// The reader keeps what it has received and hands out one line at a time. The course's Python clients
/// send a message with no newline and wait for the answer, so bytes without a line end followed by
/// a short pause are a message too. A line is never longer than `maxLineBytes`.
public struct LineReader: Sendable {
    public let socket: Socket
    public let maxLineBytes: Int
    /// How long a partial line may wait for more bytes before it counts as a message; nil waits forever.
    public let pause: Duration?
    private var buffer: [UInt8] = []
    private var start = 0
    private var isAtEnd = false

    public init(_ socket: Socket, maxLineBytes: Int = 65_536, pause: Duration? = .milliseconds(30)) {
        self.socket = socket
        self.maxLineBytes = maxLineBytes
        self.pause = pause
    }

    /// The next message, or nil once the peer has closed and every byte has been handed out.
    public mutating func next() async throws -> Message? {
        try await next(before: nil)
    }

    /// The next message; throws `WaitTimeout` when none has begun to arrive by `deadline`.
    public mutating func next(before deadline: ContinuousClock.Instant?) async throws -> Message? {
        while true {
            if let message = takeLine() { return message }
            let pending = buffer.count - start
            if pending >= maxLineBytes { return take(maxLineBytes, ending: .overlong) }
            if isAtEnd { return pending > 0 ? take(pending, ending: .closed) : nil }
            let pauseEnd = pending > 0 ? pause.map { ContinuousClock.now + $0 } : nil
            do {
                if start > 0, start == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    start = 0
                }
                let wait = [pauseEnd, deadline].compactMap { $0 }.min()
                let count = try await socket.receive(appendingTo: &buffer, deadline: wait)
                if count == 0 { isAtEnd = true }
            } catch let timeout as WaitTimeout {
                if buffer.count == start { throw timeout }
                return take(buffer.count - start, ending: .pause)
            }
        }
    }

    private mutating func takeLine() -> Message? {
        let limit = min(buffer.count, start + maxLineBytes + 2)
        guard let newline = buffer[start..<limit].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var end = newline
        if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        if end - start > maxLineBytes { return nil }
        let message = Message(
            text: Array(buffer[start..<end]), terminator: Array(buffer[end...newline]), ending: .lineEnd)
        advance(to: newline + 1)
        return message
    }

    private mutating func take(_ count: Int, ending: Message.Ending) -> Message {
        let message = Message(text: Array(buffer[start..<start + count]), ending: ending)
        advance(to: start + count)
        return message
    }

    private mutating func advance(to index: Int) {
        start = index
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 65_536 {
            buffer.removeSubrange(..<start)
            start = 0
        }
    }
}
