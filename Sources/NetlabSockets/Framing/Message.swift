/// One message read from a byte stream or one datagram: its text and the line end it came with.
public struct Message: Sendable, Equatable {
    /// How the message ended.
    public enum Ending: Sendable, Equatable {
        /// A line end, `\n` or `\r\n`, kept in `terminator`.
        case lineEnd
        /// The sender paused, or closed, without a line end: the course's Python clients send no newline.
        case pause
        /// The line reached the reader's maximum length before its line end; the rest follows.
        case overlong
        /// The peer closed the connection in the middle of a line: these are its last bytes.
        case closed
    }

    /// The bytes without the line end.
    public var text: [UInt8]
    /// `\n`, `\r\n`, or empty.
    public var terminator: [UInt8]
    public var ending: Ending

    public init(text: [UInt8], terminator: [UInt8] = [], ending: Ending = .pause) {
        self.text = text
        self.terminator = terminator
        self.ending = ending
    }

    /// A message from a UDP datagram: a trailing line end, if any, is split off like a line's.
    public init(datagram: [UInt8]) {
        var text = datagram
        var terminator: [UInt8] = []
        if text.last == UInt8(ascii: "\n") {
            text.removeLast()
            terminator = [UInt8(ascii: "\n")]
            if text.last == UInt8(ascii: "\r") {
                text.removeLast()
                terminator.insert(UInt8(ascii: "\r"), at: 0)
            }
        }
        self.init(text: text, terminator: terminator, ending: terminator.isEmpty ? .pause : .lineEnd)
    }

    /// The text as a Swift string, with any bytes that are not UTF-8 shown as U+FFFD.
    public var string: String { String(decoding: text, as: UTF8.self) }
}
