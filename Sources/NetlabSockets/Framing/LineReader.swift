/// Reads a TCP byte stream as messages: lines, or bytes followed by a pause.
///
/// TCP delivers bytes, not messages (lessons/03-tcp-sockets.md): one `recv` may return half a line or three.
/// The reader keeps what it has received and hands out one line at a time. The course's Python clients
/// send a message with no newline and wait for the answer, so bytes without a line end followed by
/// a short pause are a message too — until the peer has ended a message with a line end: from then on
/// it speaks in lines, and a line sent in pieces, with pauses between, stays one message (a request
/// cut by a pause must never run as two). A chat server calls `forgetLineEnds()` after the login line,
/// since some clients log in as `nc` does and then talk as the seeds' clients do. A pause never splits a
/// UTF-8 character. A line is never longer than `maxLineBytes`: a longer one comes out in `.overlong`
/// pieces up to its line end, whatever pauses it has, so no part of it is ever taken for a new message.
public struct LineReader: Sendable {
    public let socket: Socket
    public let maxLineBytes: Int
    /// How long a partial line may wait for more bytes before it counts as a message; nil waits forever.
    public let pause: Duration?
    private var buffer: [UInt8] = []
    private var start = 0
    private var isAtEnd = false
    /// Whether a line end from the peer turns the pause rule off (servers); a client that only shows
    /// what its server sends keeps it, for servers that mix both styles.
    public let locksToLines: Bool
    /// Whether the peer has ended a message with a line end: then a pause ends no message.
    public private(set) var sendsLines = false
    /// Whether the line being read has gone past the maximum: it ends only at its line end.
    private var isInOverlongLine = false

    public init(
        _ socket: Socket, maxLineBytes: Int = 65_536, pause: Duration? = .milliseconds(30), locksToLines: Bool = true
    ) {
        self.socket = socket
        self.locksToLines = locksToLines
        self.maxLineBytes = maxLineBytes
        self.pause = pause
    }

    /// Lets a pause end a message again, until the peer's next line end: for a protocol whose first line
    /// (a login) may end differently from the messages that follow.
    public mutating func forgetLineEnds() {
        sendsLines = false
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
            // Exactly the maximum may still be a whole message: overlong only once more bytes come.
            if pending > maxLineBytes || (isInOverlongLine && pending > 0 && !isAtEnd) {
                isInOverlongLine = true
                return take(min(pending, maxLineBytes), ending: .overlong)
            }
            if isAtEnd {
                isInOverlongLine = false
                return pending > 0 ? take(pending, ending: .closed) : nil
            }
            // A pause ends a message only when there is a whole character to hand out, and only for a
            // peer that has not spoken in lines.
            let hasWholeCharacter = pending > Self.unfinishedCharacterLength(buffer[start...])
            let pausesEndMessages = !(sendsLines && locksToLines) && !isInOverlongLine
            let pauseEnd = hasWholeCharacter && pausesEndMessages ? pause.map { ContinuousClock.now + $0 } : nil
            do {
                if start > 0, start == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    start = 0
                }
                let wait = [pauseEnd, deadline].compactMap { $0 }.min()
                let count = try await socket.receive(appendingTo: &buffer, deadline: wait)
                if count == 0 { isAtEnd = true }
            } catch let timeout as WaitTimeout {
                // Only a pause ends a message; the caller's deadline leaves a partial line where it is.
                if buffer.count == start || !pausesEndMessages { throw timeout }
                // The rest of a character cut by the pause stays for the next message.
                let whole = buffer.count - start - Self.unfinishedCharacterLength(buffer[start...])
                if whole == 0 { throw timeout }  // only the caller's deadline passed
                return take(whole, ending: .pause)
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
        sendsLines = true
        isInOverlongLine = false
        return message
    }

    /// How many bytes at the end of `bytes` begin a UTF-8 character whose other bytes have not come yet.
    public static func unfinishedCharacterLength(_ bytes: ArraySlice<UInt8>) -> Int {
        // Walk back over continuation bytes (10xxxxxx) to the byte that starts the last character.
        var index = bytes.endIndex
        while index > bytes.startIndex, bytes.endIndex - index < 4 {
            index -= 1
            let byte = bytes[index]
            if byte & 0xC0 == 0x80 { continue }
            let length = byte >= 0xF8 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            let present = bytes.endIndex - index
            return length > present ? present : 0
        }
        return 0
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
