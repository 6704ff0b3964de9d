import Glibc
import NetlabSockets
import Synchronization

/// Where every line netlab prints goes: the terminal, or a capture for tests.
///
/// Glibc's `stdout` and `stderr` globals are errors in Swift 6, so all output is written here with write(2).
public final class Console: LogSink {
    private enum Sink {
        case standard
        case capture
    }

    private struct Captured {
        var out: [UInt8] = []
        var err: [UInt8] = []
        var input: [UInt8] = []
    }

    private let sink: Sink
    private let captured = Mutex(Captured())
    private let inputBuffer = Mutex(InputBuffer())
    /// Whether output may be coloured: standard output is a terminal and `NO_COLOR` is not set.
    public let usesColor: Bool
    /// Whether a person sits at this console: standard input and output are both terminals.
    public let isInteractive: Bool

    /// The process's own standard input, output and error.
    public static let standard = Console(sink: .standard)

    /// A console that records output and feeds `input` as standard input, for tests.
    public static func capture(input: String = "") -> Console {
        let console = Console(sink: .capture)
        console.captured.withLock { $0.input = Array(input.utf8) }
        return console
    }

    private init(sink: Sink) {
        self.sink = sink
        if case .standard = sink {
            usesColor = isatty(1) == 1 && getenv("NO_COLOR") == nil
            isInteractive = isatty(0) == 1 && isatty(1) == 1
        } else {
            usesColor = false
            isInteractive = false
        }
    }

    /// Prints a line on standard output.
    public func out(_ line: String) { write(Array((line + "\n").utf8), to: 1) }

    /// Prints a line on standard error.
    public func err(_ line: String) { write(Array((line + "\n").utf8), to: 2) }

    /// Prints a server's log line on standard error without ever waiting: when nobody reads standard
    /// error and its pipe is full, the line is dropped and counted, and the count is printed once there
    /// is room again. A server must not stop serving because its log is not read.
    public func log(_ line: String) {
        guard case .standard = sink else { return err(line) }
        guard Syscalls.isWritableNow(2) else {
            droppedLogLines.add(1, ordering: .relaxed)
            return
        }
        let dropped = droppedLogLines.exchange(0, ordering: .relaxed)
        let note =
            dropped == 0
            ? "" : "(\(dropped) log \(dropped == 1 ? "line" : "lines") dropped: nobody read standard error)\n"
        write(Array((note + line + "\n").utf8), to: 2)
    }

    private let droppedLogLines = Atomic<Int>(0)

    /// Logs that one client's conversation ended in an error: the client, then what happened to it.
    public func logClientError(_ error: any Error, peer: String) {
        switch error {
        case SocketError.connectionReset: log("\(peer) reset the connection")
        case SocketError.peerClosed: log("\(peer) closed the connection before its reply was sent")
        default: log("\(peer): \(ErrorSentence.describing(error))")
        }
    }

    /// Writes bytes to standard output as they are.
    public func writeOut(_ bytes: [UInt8]) { write(bytes, to: 1) }

    /// Writes bytes to standard error as they are.
    public func writeErr(_ bytes: [UInt8]) { write(bytes, to: 2) }

    /// Everything printed on standard output so far (capture only).
    public var capturedOut: String { captured.withLock { String(decoding: $0.out, as: UTF8.self) } }

    /// Everything printed on standard error so far (capture only).
    public var capturedErr: String { captured.withLock { String(decoding: $0.err, as: UTF8.self) } }

    private func write(_ bytes: [UInt8], to fd: Int32) {
        switch sink {
        case .capture:
            captured.withLock { fd == 1 ? $0.out.append(contentsOf: bytes) : $0.err.append(contentsOf: bytes) }
        case .standard:
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return  // a closed pipe: nobody is reading, so there is nobody to tell
                    }
                    offset += written
                }
            }
        }
    }

    // MARK: Standard input

    private struct InputBuffer {
        var bytes: [UInt8] = []
        var isAtEnd = false
    }

    /// Reads the next line of standard input without its line end (`\n` or `\r\n`); nil at end of input.
    ///
    /// Bytes are returned as they are: input need not be UTF-8. This blocks its thread while it waits,
    /// which is what a line-by-line client wants.
    public func readLine() -> [UInt8]? {
        inputBuffer.withLock { buffer in
            while true {
                if let newline = buffer.bytes.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(buffer.bytes[..<newline])
                    buffer.bytes.removeSubrange(...newline)
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    return line
                }
                if buffer.isAtEnd {
                    if buffer.bytes.isEmpty { return nil }
                    defer { buffer.bytes.removeAll() }
                    return buffer.bytes
                }
                let chunk = readInputChunk()
                if chunk.isEmpty { buffer.isAtEnd = true } else { buffer.bytes.append(contentsOf: chunk) }
            }
        }
    }

    private func readInputChunk() -> [UInt8] {
        switch sink {
        case .capture:
            return captured.withLock { state in
                defer { state.input.removeAll() }
                return state.input
            }
        case .standard:
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
                if count >= 0 { return Array(chunk[..<count]) }
                if errno != EINTR { return [] }
            }
        }
    }

    /// Wraps text in an ANSI colour when colour is on.
    public func colored(_ text: String, _ code: Int) -> String {
        usesColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
