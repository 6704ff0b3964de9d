import Foundation
import NetlabSockets

/// Splits a command template such as `python3 "{dir}/my server.py" {port}` into words, as a shell would
/// for plain words and quotes (no variables, no globbing: the program is run without a shell).
package enum CommandWords {
    package static func split(_ text: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var hasWord = false
        var quote: Character?
        var escaping = false
        for character in text {
            if escaping {
                current.append(character)
                escaping = false
            } else if character == "\\" && quote != "'" {
                escaping = true
                hasWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                hasWord = true
            } else if character == " " || character == "\t" {
                if hasWord { words.append(current) }
                current = ""
                hasWord = false
            } else {
                current.append(character)
                hasWord = true
            }
        }
        if quote != nil { throw RuntimeError("the command \(text) has an unclosed quote — close it or drop it") }
        if hasWord { words.append(current) }
        return words
    }

    /// Joins words into one command line, quoting those that need it, so `split` gives them back.
    package static func join(_ words: [String]) -> String {
        words.map { word in
            let plain = !word.isEmpty && word.allSatisfy { !" \t'\"\\".contains($0) }
            return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
