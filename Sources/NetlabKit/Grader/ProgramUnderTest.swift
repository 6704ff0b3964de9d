import Foundation

/// The student's program as the grader runs it: the command with `{host}` and `{port}` filled in,
/// in its own temporary folder, restarted when it dies between checks.
final class ProgramUnderTest: @unchecked Sendable {
    // @unchecked Sendable: used by one grading task at a time; `process` changes only in start/stop.

    let command: [String]
    let port: Int
    let transport: Exercise.Transport
    let folder: String
    /// Whether the server's standard input stays open for the checks' `type` steps.
    let keepsInputOpen: Bool
    private(set) var process: ChildProcess?

    init(command: [String], port: Int, transport: Exercise.Transport, keepsInputOpen: Bool = false) throws {
        self.command = command
        self.port = port
        self.transport = transport
        self.keepsInputOpen = keepsInputOpen
        let template = NSTemporaryDirectory() + "netlab-grade-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else {
            throw RuntimeError("cannot make a temporary folder for the program — is /tmp full?")
        }
        folder = String(cString: made)
        ChildProcess.removeOnInterrupt(folder: folder)
    }

    /// The command's words with `{host}` and `{port}` replaced.
    ///
    /// The program runs in a temporary folder, so a word that names a file relative to where netlab was
    /// started (`server.py`, `./client`) becomes its absolute path: what the student typed still works.
    static func fill(_ command: [String], host: String, port: Int) -> [String] {
        let here = FileManager.default.currentDirectoryPath
        return command.map { word in
            if !word.hasPrefix("/"), !word.hasPrefix("-"), !word.isEmpty, FileManager.default.fileExists(atPath: word) {
                return URL(fileURLWithPath: here).appendingPathComponent(word).standardizedFileURL.path
            }
            return word.replacingOccurrences(of: "{host}", with: host).replacingOccurrences(
                of: "{port}", with: "\(port)")
        }
    }

    /// Starts a program: the server under test, or a student's client against `host`.
    func spawn(
        host: String = "127.0.0.1", port: Int? = nil, input: String = "", separatesErrors: Bool = false,
        keepsInputOpen: Bool = false
    ) throws -> ChildProcess {
        let port = port ?? self.port
        var options = ChildProcess.Options()
        options.environment = ["NETLAB_PORT": "\(port)", "NETLAB_HOST": host]
        options.separatesErrors = separatesErrors
        options.keepsInputOpen = keepsInputOpen
        return try ChildProcess(
            arguments: Self.fill(command, host: host, port: port), options: options, folder: folder,
            input: Array(input.utf8))
    }

    /// Starts the server under test and waits until it listens; throws a `CheckFailure` saying why not.
    func start(within timeout: Duration) async throws {
        stop()
        let process = try spawn(keepsInputOpen: keepsInputOpen)
        self.process = process
        let deadline = ContinuousClock.now + timeout
        while !ListeningProbe.isListening(port: port, transport: transport) {
            if !process.isRunning {
                throw CheckFailure(
                    "the program ended (\(process.ending)) without listening on 127.0.0.1:\(port) (\(transport.rawValue))"
                        + Self.lastLines(of: process))
            }
            if ContinuousClock.now >= deadline {
                throw CheckFailure(
                    "the program never listened on 127.0.0.1:\(port) (\(transport.rawValue)) within "
                        + "\(SocketError.format(seconds: timeout.seconds)); it must bind the port it is given"
                        + Self.lastLines(of: process))
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    var isRunning: Bool { process?.isRunning ?? false }

    /// Types `line` and a newline on the server's standard input; false when it cannot take it.
    func type(_ line: String) -> Bool {
        process?.type(Array((line + "\n").utf8)) ?? false
    }

    func stop() {
        process?.stop()
    }

    /// Stops the program and removes its folder.
    func finish() {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
        ChildProcess.forgetOnInterrupt(folder: folder)
    }

    /// `; its last lines: a | b` for a failure message, or nothing when it printed nothing.
    static func lastLines(of process: ChildProcess) -> String {
        let lines = process.lastLines(4)
        return lines.isEmpty ? "" : "; its last lines: " + lines.joined(separator: " | ")
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
