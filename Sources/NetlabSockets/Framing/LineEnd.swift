extension StringProtocol {
    /// The text without a trailing `\n` or `\r\n`.
    package func trimmingLineEnd() -> String {
        // "\r\n" is one Character in Swift, so each ending is removed whole.
        var text = String(self)
        if text.hasSuffix("\r\n") || text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }
}
