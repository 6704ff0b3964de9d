/// The line being typed in an interactive chat, and the keys that edit it.
///
/// Pure state, no terminal: `ChatTerminal` feeds it the bytes read from the keyboard and draws what
/// `rendered` returns, so the editing rules are tested without a terminal.
struct LineEditor: Sendable {
    /// What a key press produced.
    enum Event: Sendable, Equatable {
        /// Enter: the finished line, without its line end.
        case line(String)
        /// Ctrl-D on an empty line: the end of input.
        case endOfInput
        /// Ctrl-C.
        case interrupt
    }

    /// The bytes typed so far on this line (UTF-8, possibly with a character still arriving).
    private(set) var typed: [UInt8] = []
    /// Bytes of an escape sequence (an arrow key, say) being skipped.
    private var escape: [UInt8]? = nil

    var text: String { String(decoding: typed, as: UTF8.self) }

    /// Applies typed bytes; returns the finished lines and other events, in order.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if var sequence = escape {
                // ESC [ ... final byte (0x40–0x7E), or ESC and one more byte: keys we do not edit with.
                sequence.append(byte)
                let finished =
                    sequence.count == 2
                    ? byte != UInt8(ascii: "[") && byte != UInt8(ascii: "O") : (0x40...0x7E).contains(byte)
                escape = finished ? nil : sequence
                continue
            }
            switch byte {
            case 0x0D, 0x0A:  // Enter
                events.append(.line(text))
                typed.removeAll()
            case 0x03:  // Ctrl-C
                events.append(.interrupt)
            case 0x04:  // Ctrl-D: end of input on an empty line, as in a shell
                if typed.isEmpty { events.append(.endOfInput) }
            case 0x7F, 0x08:  // Backspace: remove the last character, with all its UTF-8 bytes
                while let last = typed.popLast(), last & 0xC0 == 0x80 {}
            case 0x15:  // Ctrl-U: clear the line
                typed.removeAll()
            case 0x17:  // Ctrl-W: remove the last word
                while typed.last == UInt8(ascii: " ") { typed.removeLast() }
                while let last = typed.last, last != UInt8(ascii: " ") { typed.removeLast() }
            case 0x1B:
                escape = [byte]
            case 0x09:
                typed.append(UInt8(ascii: " "))
            case 0x00..<0x20:
                break  // other control keys do nothing
            default:
                typed.append(byte)
            }
        }
        return events
    }

    /// The prompt and the typed text as they fit in `width` columns: when the line is too long, its end.
    func rendered(prompt: String, width: Int) -> String {
        let room = max(width - 1 - TerminalText.width(of: prompt), 8)
        var shown = Substring(text)
        var shownWidth = TerminalText.width(of: shown)
        while shownWidth > room, let first = shown.first {
            shownWidth -= TerminalText.width(of: String(first))
            shown = shown.dropFirst()
        }
        return prompt + shown
    }
}

/// Text as a terminal shows it.
package enum TerminalText {
    /// Text from a program under test, quoted for a report: control characters appear as escapes
    /// (`\n`, `\r`, `\t`, `\0`, `\x1b`), and invisible ones (a zero-width space) as `\u{200b}`, so a
    /// reply's bytes show exactly and cannot recolour or clear the reader's terminal.
    package static func escaped(_ text: some StringProtocol) -> String {
        var shown = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case "\0": shown += "\\0"
            case "\\": shown += "\\\\"
            default:
                if isControl(scalar) || scalar.properties.generalCategory == .format {
                    let hex = String(scalar.value, radix: 16)
                    shown +=
                        scalar.value < 0x80 ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
                } else {
                    shown.unicodeScalars.append(scalar)
                }
            }
        }
        return shown
    }

    /// Columns a string takes: East Asian wide characters (Chinese, say) and emoji take two.
    static func width(of text: some StringProtocol) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            let value = scalar.value
            if scalar.properties.generalCategory == .nonspacingMark || value == 0x200D { return total }
            return total + (isWide(value) ? 2 : 1)
        }
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            true
        default: false
        }
    }

    /// Text from the network made safe to print: control characters (a peer could send escape
    /// sequences that move the cursor or retitle the window) are shown as `?`, and bytes that are not
    /// UTF-8 as U+FFFD.
    static func printable(_ bytes: [UInt8]) -> String {
        cleaned(String(decoding: bytes, as: UTF8.self))
    }

    /// Text with each control character replaced by `?`: what a chat server relays, so that no
    /// client, however plain (nc, a Python script), shows a line break or an escape sequence a
    /// sender slipped into a message (`\r` then a forged `server:` line, say).
    static func cleaned(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? "?" : $0 }))
    }

    /// C0 and C1 controls but the tab (DEL too), the line and paragraph separators (U+2028, U+2029),
    /// which some clients show as line breaks, and the invisible marks that reorder text (Bidi_Control:
    /// U+061C, U+200E-F, U+202A-E, U+2066-9).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        // Most chat text is ASCII: decided without looking up Unicode properties (a relay's hot path).
        if scalar.value < 0xA0 { return scalar.value < 0x20 ? scalar != "\t" : scalar.value >= 0x7F }
        if scalar.properties.isBidiControl || scalar == "\u{2028}" || scalar == "\u{2029}" { return true }
        return scalar != "\t" && scalar.properties.generalCategory == .control
    }
}
