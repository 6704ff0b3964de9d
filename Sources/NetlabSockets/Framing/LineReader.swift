/// Reads a TCP byte stream as messages: lines, or bytes followed by a pause (the rules are
/// `LineDecoder`'s; the reader receives the bytes and tells the decoder the time).
public struct LineReader: Sendable {
    public let socket: Socket
    private var decoder: LineDecoder

    public init(
        _ socket: Socket, maxLineBytes: Int = 65_536, pause: Duration? = .milliseconds(30), locksToLines: Bool = true
    ) {
        self.socket = socket
        self.decoder = LineDecoder(maxLineBytes: maxLineBytes, pause: pause, locksToLines: locksToLines)
    }

    /// A reader that starts with `received`, bytes already taken from the socket (a server that looked at
    /// its client's first bytes to tell which protocol it speaks).
    public init(_ socket: Socket, alreadyReceived received: [UInt8], maxLineBytes: Int = 65_536) {
        self.init(socket, maxLineBytes: maxLineBytes)
        decoder.append(received)
    }

    public var maxLineBytes: Int { decoder.maxLineBytes }
    /// Whether the peer has ended a message with a line end: then a pause ends no message.
    public var sendsLines: Bool { decoder.sendsLines }

    /// Lets a pause end a message again, until the peer's next line end: for a protocol whose first line
    /// (a login) may end differently from the messages that follow.
    public mutating func forgetLineEnds() {
        decoder.forgetLineEnds()
    }

    /// The next message, or nil once the peer has closed and every byte has been handed out.
    public mutating func next() async throws -> Message? {
        try await next(before: nil)
    }

    /// The next message; throws `WaitTimeout` when none has begun to arrive by `deadline`.
    public mutating func next(before deadline: ContinuousClock.Instant?) async throws -> Message? {
        while true {
            let pauseEnd: ContinuousClock.Instant?
            switch decoder.next(at: .now) {
            case .message(let message): return message
            case .end: return nil
            case .waitForBytes(let end): pauseEnd = end
            }
            let wait = [pauseEnd, deadline].compactMap { $0 }.min()
            let socket = socket
            do {
                try await decoder.fill { buffer in
                    try await socket.receive(appendingTo: &buffer, deadline: wait)
                }
            } catch let timeout as WaitTimeout {
                // Only a pause ends a message; the caller's deadline leaves a partial line where it is.
                if let deadline, ContinuousClock.now >= deadline, case .waitForBytes = decoder.next(at: .now) {
                    throw timeout
                }
            }
        }
    }
}
