import Testing

@testable import NetlabTopics

/// The keys of the interactive chat line, without a terminal.
@Suite("Line editor", .machineShare)
struct LineEditorTests {
    @Test("Enter finishes a line; Backspace removes whole characters, Chinese ones too")
    func typingAndBackspace() {
        var editor = LineEditor()
        #expect(editor.feed(Array("你好x".utf8) + [0x7F]).isEmpty)
        #expect(editor.text == "你好")
        #expect(editor.feed([0x7F]).isEmpty)
        #expect(editor.text == "你")
        #expect(editor.feed(Array(" there\r".utf8)) == [.line("你 there")])
        #expect(editor.text.isEmpty)
    }

    @Test("Ctrl-U clears, Ctrl-W removes a word, arrows are ignored, Ctrl-C and Ctrl-D are events")
    func controlKeys() {
        var editor = LineEditor()
        _ = editor.feed(Array("one two  ".utf8) + [0x17])
        #expect(editor.text == "one ")
        _ = editor.feed([0x1B, 0x5B, 0x44] + Array("x".utf8) + [0x1B, 0x4F, 0x41])  // ← x ↑
        #expect(editor.text == "one x")
        _ = editor.feed([0x15])
        #expect(editor.text.isEmpty)
        #expect(editor.feed([0x04]) == [.endOfInput], "Ctrl-D on an empty line ends the input")
        _ = editor.feed(Array("a".utf8))
        #expect(editor.feed([0x04]).isEmpty, "Ctrl-D with text typed does nothing")
        #expect(editor.feed([0x03]) == [.interrupt])
        #expect(editor.feed(Array("b\nc\n".utf8)) == [.line("ab"), .line("c")])
    }

    @Test("a line too long for the terminal shows its end; wide characters count two columns")
    func rendering() {
        var editor = LineEditor()
        _ = editor.feed(Array(String(repeating: "a", count: 50).utf8) + Array("END".utf8))
        let shown = editor.rendered(prompt: "me> ", width: 30)
        #expect(shown.hasPrefix("me> ") && shown.hasSuffix("END"))
        #expect(TerminalText.width(of: shown) == 29)
        #expect(TerminalText.width(of: "你好ab") == 6)
    }

    @Test("text from the network cannot move the cursor: control characters show as ?")
    func printable() {
        #expect(TerminalText.printable(Array("hi\u{1B}[2Jthere".utf8)) == "hi?[2Jthere")
        #expect(TerminalText.printable([0x68, 0xFF]) == "h\u{FFFD}")
        #expect(TerminalText.printable(Array("tab\tok".utf8)) == "tab\tok")
    }
}
