import NetlabSockets

/// What the course's TCP and UDP servers answer: `--reply timestamp|echo|upper|hello`.
///
/// Every reply ends the way its message ended: a line gets its line end back, and a message sent with
/// no newline (as the seeds' Python clients send) gets none, exactly as the seeds' servers answer.
public enum ReplyMode: String, CaseIterable, Sendable {
    /// `[ctime] data`, seed 000's tsTserv.py.
    case timestamp
    /// The message back, byte for byte.
    case echo
    /// The message in capitals.
    case upper
    /// `Welcome!` on connect, `Hello, X!` to each message, and `exit` closes (seed 002).
    case hello

    /// What a TCP server sends as soon as a client connects, if anything.
    public var greeting: [UInt8]? {
        self == .hello ? Array("Welcome!\n".utf8) : nil
    }

    /// The reply to one message, or nil when the server should close the connection (hello's `exit`).
    public func reply(to message: Message, transport: SocketError.Transport = .tcp) -> [UInt8]? {
        switch self {
        case .timestamp:
            var reply: [UInt8] = []
            reply.reserveCapacity(28 + message.text.count + message.terminator.count)
            reply.append(UInt8(ascii: "["))
            reply.append(contentsOf: CTime.now().utf8)
            reply.append(contentsOf: "] ".utf8)
            reply.append(contentsOf: message.text)
            reply.append(contentsOf: message.terminator)
            return reply
        case .echo:
            return message.text + message.terminator
        case .upper:
            return Self.uppercased(message.text) + message.terminator
        case .hello:
            if transport == .tcp, message.text == Array("exit".utf8) { return nil }
            return Array("Hello, ".utf8) + message.text + Array("!".utf8) + message.terminator
        }
    }

    /// Capitals for UTF-8 text; other bytes keep their value, with ASCII letters raised.
    static func uppercased(_ bytes: [UInt8]) -> [UInt8] {
        if let text = String(validating: bytes, as: UTF8.self) { return Array(text.uppercased().utf8) }
        return bytes.map { (97...122).contains($0) ? $0 - 32 : $0 }
    }
}
