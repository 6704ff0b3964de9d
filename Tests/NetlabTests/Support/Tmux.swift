import Foundation
import Glibc

/// A program running in a terminal that tmux provides, typed at and read as a person would:
/// `send-keys` types, `capture-pane` reads the screen. Each session lives on a tmux server of its own.
final class TmuxSession: @unchecked Sendable {
    // @unchecked Sendable: every property is a constant.
    private let server: String
    private let name = "netlab"

    /// Starts `command` (netlab and its arguments) in a new 100×30 terminal. After the program exits,
    /// the terminal shows `exit status N` and stays open so the test can read it.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        server = "netlab-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        let quoted = ([Tools.netlab.path] + arguments).map(Self.quoted)
        // Colour is on unless the test asks for NO_COLOR, whatever the environment running the tests says.
        let exports = "unset NO_COLOR; " + environment.map { "export \($0.key)='\($0.value)'; " }.joined()
        let script = exports + quoted.joined(separator: " ") + "; echo \"exit status $?\"; sleep 60"
        try tmux(["new-session", "-d", "-s", name, "-x", "100", "-y", "30", script])
    }

    /// Types text (as keys, literally), then Enter when asked.
    func type(_ text: String, enter: Bool = true) throws {
        if !text.isEmpty { try tmux(["send-keys", "-t", name, "-l", text]) }
        if enter { try tmux(["send-keys", "-t", name, "Enter"]) }
    }

    /// Presses a key by tmux's name for it, such as `C-c`.
    func press(_ key: String) throws { try tmux(["send-keys", "-t", name, key]) }

    /// What the terminal shows now, line by line, without trailing blank lines.
    func screen(withColors: Bool = false) throws -> String {
        try tmux(["capture-pane", "-p", "-t", name] + (withColors ? ["-e"] : []))
            .split(separator: "\n", omittingEmptySubsequences: false).map { $0.replacing(/\s+$/, with: "") }
            .joined(separator: "\n").trimmingCharacters(in: .newlines)
    }

    /// Waits (polling, bounded) until the screen shows `text`; returns the screen.
    @discardableResult
    func waitFor(_ text: String, within seconds: Double = 10) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let shown = try screen()
            if shown.contains(text) { return shown }
            if Date() > deadline {
                print("the terminal never showed \(text.debugDescription); it shows:\n\(shown)")
                throw TestTimeout(seconds: seconds)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Ends the session and its tmux server (and with them the program, if it still runs).
    func stop() { _ = try? tmux(["kill-server"]) }

    deinit { stop() }

    /// Runs tmux through popen(3): Foundation's Process does not reap the tmux client here, since the
    /// server it starts stays in its process group.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let tmux = Tools.path(of: "tmux") ?? "/usr/bin/tmux"
        let command =
            "env -u TMUX TERM=xterm-256color "
            + ([tmux, "-L", server, "-f", "/dev/null"] + arguments).map(Self.quoted)
            .joined(separator: " ") + " </dev/null 2>/dev/null"
            // The server new-session starts lives on: it must not hold the pipe read here to its end.
            + (arguments.first == "new-session" ? " >/dev/null" : "")
        guard let pipe = popen(command, "r") else { throw TestTimeout(seconds: 0) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, pipe)
            if count <= 0 { break }
            output += chunk[..<count]
        }
        pclose(pipe)
        return String(decoding: output, as: UTF8.self)
    }

    /// A word for /bin/sh, in single quotes.
    static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
