import Foundation
import Glibc
import Synchronization

/// Where a chat program reads what its user types and shows what arrives.
///
/// On a terminal it puts the keyboard in raw mode and draws each incoming line above the line being
/// typed, so a message that arrives mid-word never garbles it. When standard input or output is not a
/// terminal it reads and prints plain lines, so scripts, pipes and tests can drive it.
public final class ChatTerminal: Sendable {
    /// What the user did.
    public enum Input: Sendable, Equatable {
        case line(String)
        case endOfInput
        /// Ctrl-C on the terminal.
        case interrupt
    }

    /// Lines typed, in order; finishes after the end of input.
    public let input: AsyncStream<Input>
    public let isInteractive: Bool
    let console: Console
    private let screen: Mutex<Screen>

    private struct Screen: @unchecked Sendable {  // termios is a plain C struct of numbers
        var editor = LineEditor()
        var prompt = ""
        var savedSettings: termios? = nil
    }

    public init(console: Console) {
        self.console = console
        isInteractive = console.isInteractive
        screen = Mutex(Screen())
        let (input, sink) = AsyncStream.makeStream(of: Input.self)
        self.input = input
        if isInteractive {
            enterRawMode()
            Thread { [self] in readKeys(into: sink) }.start()
        } else {
            // Reading standard input blocks, so it has a thread of its own.
            Thread {
                while let line = console.readLine() { sink.yield(.line(String(decoding: line, as: UTF8.self))) }
                sink.yield(.endOfInput)
                sink.finish()
            }.start()
        }
    }

    /// Colours a name (not when `NO_COLOR` is set or output is not a terminal); each name keeps one colour.
    public func colored(name: String) -> String {
        let palette = [32, 33, 34, 35, 36, 91, 92, 94, 95, 96]
        let hash = name.utf8.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
        return console.colored(name, palette[Int(hash % UInt32(palette.count))])
    }

    /// Dims a notice from the program itself.
    public func dimmed(_ text: String) -> String { console.colored(text, 2) }

    /// Shows a line: above the line being typed on a terminal, else on standard output.
    public func show(_ line: String) {
        guard isInteractive else {
            console.out(line)
            return
        }
        screen.withLock { screen in
            console.writeOut(
                Array(
                    ("\r\u{1B}[2K" + line + "\n" + screen.editor.rendered(prompt: screen.prompt, width: Self.columns()))
                        .utf8))
        }
    }

    /// Sets the prompt shown before the line being typed (a terminal only).
    public func setPrompt(_ prompt: String) {
        guard isInteractive else { return }
        screen.withLock { screen in
            screen.prompt = prompt
            redraw(screen)
        }
    }

    /// Puts the terminal back as it was. Call before the program exits.
    public func restore() {
        guard isInteractive else { return }
        screen.withLock { screen in
            console.writeOut(Array("\r\u{1B}[2K".utf8))
            if var settings = screen.savedSettings {
                tcsetattr(0, TCSAFLUSH, &settings)
                screen.savedSettings = nil
            }
        }
    }

    // MARK: The terminal

    private func enterRawMode() {
        var settings = termios()
        guard tcgetattr(0, &settings) == 0 else { return }
        screen.withLock { $0.savedSettings = settings }
        // Keys arrive one by one, unechoed; Ctrl-C is a key, not a signal, so leaving is always clean.
        // Output processing stays on, so "\n" still starts a new line.
        settings.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        settings.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &settings.c_cc) { controls in
            controls[Int(VMIN)] = 1
            controls[Int(VTIME)] = 0
        }
        tcsetattr(0, TCSAFLUSH, &settings)
    }

    private func readKeys(into sink: AsyncStream<Input>.Continuation) {
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                sink.yield(.endOfInput)
                break
            }
            let events = screen.withLock { screen in
                let events = screen.editor.feed(buffer[..<count])
                for event in events {
                    if case .line(let line) = event {
                        // The finished line stays on screen, after its prompt, as in a shell.
                        console.writeOut(Array(("\r\u{1B}[2K" + screen.prompt + line + "\n").utf8))
                    }
                }
                redraw(screen)
                return events
            }
            for event in events {
                switch event {
                case .line(let line): sink.yield(.line(line))
                case .endOfInput: sink.yield(.endOfInput)
                case .interrupt: sink.yield(.interrupt)
                }
            }
        }
        sink.finish()
    }

    private func redraw(_ screen: Screen) {
        console.writeOut(
            Array(("\r\u{1B}[2K" + screen.editor.rendered(prompt: screen.prompt, width: Self.columns())).utf8))
    }

    /// The terminal's width in columns (80 when it cannot be told).
    private static func columns() -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
