/// Cuts a TCP byte stream into messages: lines, or bytes followed by a pause. It does no I/O and reads
/// no clock: `LineReader` feeds it what a socket receives and tells it the time, and a test feeds it
/// bytes and a made-up time, so the pause rules are checked without a socket or a sleep.
///
/// TCP delivers bytes, not messages (lessons/03-tcp-sockets.md): one `recv` may return half a line or three.
/// The decoder keeps what it has received and hands out one line at a time. The course's Python clients
/// send a message with no newline and wait for the answer, so bytes without a line end followed by
/// a short pause are a message too — until the peer has ended a message with a line end: from then on
/// it speaks in lines, and a line sent in pieces, with pauses between, stays one message (a request
/// cut by a pause must never run as two). A chat server calls `forgetLineEnds()` after the login line,
/// since some clients log in as `nc` does and then talk as the seeds' clients do. A pause never splits a
/// UTF-8 character. A line is never longer than `maxLineBytes`: a longer one comes out in `.overlong`
/// pieces up to its line end, whatever pauses it has, so no part of it is ever taken for a new message.
public struct LineDecoder: Sendable {
    /// What the decoder can say at a given moment.
    public enum Next: Sendable, Equatable {
        /// A whole message.
        case message(Message)
        /// Nothing yet: wait for more bytes, or until the instant given, when a pause ends the bytes waiting.
        case waitForBytes(pauseEnd: ContinuousClock.Instant?)
        /// The peer has closed and every byte has been handed out.
        case end
    }

    public let maxLineBytes: Int
    /// How long a partial line may wait for more bytes before it counts as a message; nil waits forever.
    public let pause: Duration?
    /// Whether a line end from the peer turns the pause rule off (servers); a client that only shows
    /// what its server sends keeps it, for servers that mix both styles.
    public let locksToLines: Bool
    /// Whether the peer has ended a message with a line end: then a pause ends no message.
    public private(set) var sendsLines = false

    private var buffer: [UInt8] = []
    private var start = 0
    private var isAtEnd = false
    /// Whether the line being read has gone past the maximum: it ends only at its line end.
    private var isInOverlongLine = false
    /// When `next(at:)` first saw the latest bytes: a pause counts from there.
    private var lastArrival: ContinuousClock.Instant?
    private var hasUnseenBytes = false

    public init(maxLineBytes: Int = 65_536, pause: Duration? = .milliseconds(30), locksToLines: Bool = true) {
        self.maxLineBytes = maxLineBytes
        self.pause = pause
        self.locksToLines = locksToLines
    }

    /// Lets a pause end a message again, until the peer's next line end: for a protocol whose first line
    /// (a login) may end differently from the messages that follow.
    public mutating func forgetLineEnds() {
        sendsLines = false
    }

    /// Bytes that arrived.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compact()
        let before = buffer.count
        buffer.append(contentsOf: bytes)
        if buffer.count > before { hasUnseenBytes = true }
    }

    /// Lets `receive` append arrived bytes straight into the buffer (no copy); it returns how many,
    /// and 0 means the peer has closed.
    public mutating func fill(_ receive: (inout [UInt8]) async throws -> Int) async rethrows {
        compact()
        let count = try await receive(&buffer)
        if count == 0 { finish() } else { hasUnseenBytes = true }
    }

    /// The peer has closed: what is left comes out as it is.
    public mutating func finish() {
        isAtEnd = true
    }

    /// The next message as of `now`, or what to wait for.
    public mutating func next(at now: ContinuousClock.Instant) -> Next {
        if hasUnseenBytes {
            lastArrival = now
            hasUnseenBytes = false
        }
        if let message = takeLine() { return .message(message) }
        let pending = buffer.count - start
        // Exactly the maximum may still be a whole message: overlong only once more bytes come.
        if pending > maxLineBytes || (isInOverlongLine && pending > 0 && !isAtEnd) {
            isInOverlongLine = true
            return .message(take(min(pending, maxLineBytes), ending: .overlong))
        }
        if isAtEnd {
            isInOverlongLine = false
            return pending > 0 ? .message(take(pending, ending: .closed)) : .end
        }
        // A pause ends a message only when there is a whole character to hand out, and only for a
        // peer that has not spoken in lines. The rest of a character cut by the pause stays for the next.
        let whole = pending - Self.unfinishedCharacterLength(buffer[start...])
        let pausesEndMessages = !(sendsLines && locksToLines) && !isInOverlongLine
        guard whole > 0, pausesEndMessages, let pause, let lastArrival else { return .waitForBytes(pauseEnd: nil) }
        let pauseEnd = lastArrival + pause
        if now >= pauseEnd { return .message(take(whole, ending: .pause)) }
        return .waitForBytes(pauseEnd: pauseEnd)
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

    /// Drops bytes already handed out before more are added.
    private mutating func compact() {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
    }
}
