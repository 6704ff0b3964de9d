/// The grader's end of one TCP connection to a program under test: reads replies the way a patient client does.
struct GraderConnection {
    let socket: Socket
    private var buffer: [UInt8] = []
    private var isClosed = false
    /// Whether the last reply `readReply` returned ended in a line end (`\n` or `\r\n`).
    private(set) var lastReplyEndedLine = false

    /// Bytes that stop for this long end a reply that has no line end (the seeds' servers send none).
    static let replyPause = Duration.milliseconds(150)

    init(socket: Socket) { self.socket = socket }

    /// The next reply without its line end; nil when the program closed the connection.
    /// Throws `WaitTimeout` when nothing arrived in time.
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
        while takeLineEndIndex() == nil, !isClosed, !isComplete(String(decoding: buffer, as: UTF8.self)) {
            do {
                if try await receive(until: .now + Self.replyPause) == 0 { isClosed = true }
            } catch is WaitTimeout {
                break
            }
        }
        if let line = takeLine() { return line }
        defer { buffer.removeAll() }
        lastReplyEndedLine = false
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Waits until the program closes the connection, ignoring what it sends; false if it stays open.
    mutating func waitForClose(within wait: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + wait
        while !isClosed {
            do {
                if try await receive(until: deadline) == 0 { isClosed = true }
            } catch is WaitTimeout {
                return false
            } catch let error as SocketError {
                if case .connectionReset = error { return true }
                throw error
            }
            buffer.removeAll()
        }
        return true
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

    private func takeLineEndIndex() -> Int? { buffer.firstIndex(of: UInt8(ascii: "\n")) }

    private mutating func takeLine() -> String? {
        guard let newline = takeLineEndIndex() else { return nil }
        var line = Array(buffer[..<newline])
        buffer.removeSubrange(...newline)
        lastReplyEndedLine = true
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
