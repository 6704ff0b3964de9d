import NetlabSockets

/// The grader's end of one TCP connection to a program under test: reads replies the way a patient client does.
///
/// Every read is bounded: a reply is at most `maxReplyBytes` and may keep coming for at most
/// `maxReplyTime`, so a program that sends for ever (a send loop that never waits for its client)
/// fails its check instead of hanging the grader or filling its memory. What has come is decoded once,
/// as it comes, never again from the start.
struct GraderConnection {
    let socket: Socket
    private var buffer: [UInt8] = []
    /// How far `buffer` has been searched for a line end.
    private var scanned = 0
    /// `buffer`'s first `decodedCount` bytes as text.
    private var decoded = ""
    private var decodedCount = 0
    private var isClosed = false
    /// Whether the last reply `readReply` returned ended in a line end (`\n` or `\r\n`).
    private(set) var lastReplyEndedLine = false
    /// The most bytes one reply may have.
    let maxReplyBytes: Int
    /// The longest one reply may keep coming, from its first byte.
    let maxReplyTime: Duration

    /// Bytes that stop for this long end a reply that has no line end (the seeds' servers send none).
    static let replyPause = Duration.milliseconds(150)
    /// A reply is at most 64 KiB: every exercise's replies are short lines.
    static let defaultMaxReplyBytes = 64 * 1024
    /// A reply that keeps coming for 5 s without a line end or a pause never ends.
    static let defaultMaxReplyTime = Duration.seconds(5)

    init(
        socket: Socket, maxReplyBytes: Int = Self.defaultMaxReplyBytes,
        maxReplyTime: Duration = Self.defaultMaxReplyTime
    ) {
        self.socket = socket
        self.maxReplyBytes = maxReplyBytes
        self.maxReplyTime = maxReplyTime
    }

    /// The next reply without its line end; nil when the program closed the connection.
    /// Throws `WaitTimeout` when nothing arrived in time, and `ReplyNeverEnded` when the reply grew past
    /// `maxReplyBytes` or kept coming for `maxReplyTime`.
    ///
    /// A reply is a line, or the bytes before a pause; `isComplete` may end it sooner, as soon as what
    /// has come is already the expected answer, so a correct program is not kept waiting for the pause.
    mutating func readReply(within wait: Duration, isComplete: (String) -> Bool = { _ in false }) async throws
        -> String?
    {
        if let line = takeLine() { return line }
        if buffer.isEmpty {
            if isClosed { return nil }
            if try await receive(until: .now + wait) == 0 {
                isClosed = true
                return nil
            }
        }
        let started = ContinuousClock.now
        while lineEndIndex() == nil, !isClosed, !isComplete(decodedText()) {
            if buffer.count > maxReplyBytes {
                throw ReplyNeverEnded(bytes: buffer.count, limit: maxReplyBytes, seconds: nil)
            }
            if ContinuousClock.now - started >= maxReplyTime {
                throw ReplyNeverEnded(bytes: buffer.count, limit: maxReplyBytes, seconds: maxReplyTime.seconds)
            }
            do {
                if try await receive(until: .now + Self.replyPause) == 0 { isClosed = true }
            } catch is WaitTimeout {
                break
            }
        }
        if let line = takeLine() { return line }
        defer { clear() }
        lastReplyEndedLine = false
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Puts `text` back in front of what is still to be read: the next reply starts with it.
    mutating func unread(_ text: String) {
        buffer.insert(contentsOf: Array(text.utf8), at: 0)
        scanned = 0
        decoded = ""
        decodedCount = 0
    }

    /// Waits until the program closes the connection, ignoring what it sends; false if it stays open.
    mutating func waitForClose(within wait: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + wait
        while !isClosed {
            // A program that never stops sending never lets a read wait: the deadline is checked here too.
            if ContinuousClock.now >= deadline { return false }
            do {
                if try await receive(until: deadline) == 0 { isClosed = true }
            } catch is WaitTimeout {
                return false
            } catch let error as SocketError {
                if case .connectionReset = error { return true }
                throw error
            }
            clear()
        }
        return true
    }

    /// Whether the connection stays open for `wait`, keeping what the program sends meanwhile for the
    /// replies that follow (up to `maxReplyBytes` of it; beyond that the connection is only watched).
    mutating func staysOpen(within wait: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + wait
        while !isClosed {
            if ContinuousClock.now >= deadline { return true }
            do {
                if buffer.count > maxReplyBytes {
                    try Task.checkCancellation()
                    if try await socket.waitForPeer(toLeave: .connected, until: deadline) != .connected {
                        isClosed = true
                    }
                } else if try await receive(until: deadline) == 0 {
                    isClosed = true
                }
            } catch is WaitTimeout {
                return true
            }
        }
        return false
    }

    /// Whether anything arrives (or the connection closes) within `wait`.
    mutating func hasActivity(within wait: Duration) async throws -> Bool {
        if !buffer.isEmpty || isClosed { return true }
        do {
            if try await receive(until: .now + wait) == 0 { isClosed = true }
            return true
        } catch is WaitTimeout {
            return false
        }
    }

    var hasClosed: Bool { isClosed }

    private mutating func receive(until deadline: ContinuousClock.Instant) async throws -> Int {
        // A read that finds bytes waiting never suspends, so it would never notice a cancelled check.
        try Task.checkCancellation()
        do {
            return try await socket.receive(appendingTo: &buffer, deadline: deadline)
        } catch let error as SocketError {
            if case .connectionReset = error {
                isClosed = true
                return 0
            }
            throw error
        }
    }

    /// The index of the first line end, searching only bytes not searched before.
    private mutating func lineEndIndex() -> Int? {
        if let index = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) { return index }
        scanned = buffer.count
        return nil
    }

    /// What has come so far as text, decoding only the bytes that came since the last call. A character
    /// whose bytes have not all come yet waits for the rest.
    private mutating func decodedText() -> String {
        let end = Self.completeUTF8Prefix(of: buffer, from: decodedCount)
        if end > decodedCount {
            decoded += String(decoding: buffer[decodedCount..<end], as: UTF8.self)
            decodedCount = end
        }
        return decoded
    }

    /// How many of `bytes` end on a whole UTF-8 character (or on bytes that can never become one),
    /// looking back at most three bytes and never before `start`.
    static func completeUTF8Prefix(of bytes: [UInt8], from start: Int) -> Int {
        var index = bytes.count - 1
        while index >= max(start, bytes.count - 3), bytes[index] & 0xC0 == 0x80 { index -= 1 }
        guard index >= max(start, 0), index < bytes.count else { return bytes.count }
        let lead = bytes[index]
        let length = lead >= 0xF8 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return index + length > bytes.count ? index : bytes.count
    }

    private mutating func takeLine() -> String? {
        guard let newline = lineEndIndex() else { return nil }
        var line = Array(buffer[..<newline])
        buffer.removeSubrange(...newline)
        scanned = 0
        decoded = ""
        decodedCount = 0
        lastReplyEndedLine = true
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }

    private mutating func clear() {
        buffer.removeAll()
        scanned = 0
        decoded = ""
        decodedCount = 0
    }
}

/// A reply that never ended: it grew past the most a reply may have, or kept coming for too long,
/// without a line end or a pause.
struct ReplyNeverEnded: Error, CustomStringConvertible {
    let bytes: Int
    let limit: Int
    /// Set when the reply kept coming this long; nil when it grew too big.
    let seconds: Double?

    var description: String {
        let pause = "without a newline or a \(SocketError.format(seconds: GraderConnection.replyPause.seconds)) pause"
        if let seconds {
            return "the reply never ended: bytes kept coming for \(SocketError.format(seconds: seconds)) "
                + "(\(bytes) bytes) \(pause); does the program send in a loop without waiting for its client?"
        }
        return "the reply never ended: more than \(limit / 1024) KiB came (\(bytes) bytes) \(pause), and a reply "
            + "is at most \(limit / 1024) KiB; does the program send in a loop without waiting for its client?"
    }
}
