import Foundation
import Glibc

/// A program the test started: its pipes are read while it runs, and it is always stopped.
final class TestProcess: @unchecked Sendable {
    // @unchecked Sendable: `output` and `errors` are guarded by `lock`.
    let process = Process()
    private let lock = NSLock()
    private var output = Data()
    private var errors = Data()
    /// How many of the two output pipes have reached their end (the program and all its children closed them).
    private var pipesAtEnd = 0
    private let input = Pipe()

    init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            guard let self else { return }
            self.lock.lock()
            self.output.append(data)
            if data.isEmpty { self.pipesAtEnd += 1 }
            self.lock.unlock()
        }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            guard let self else { return }
            self.lock.lock()
            self.errors.append(data)
            if data.isEmpty { self.pipesAtEnd += 1 }
            self.lock.unlock()
        }
        try process.run()
    }

    /// Starts the built netlab with these arguments.
    static func netlab(
        _ arguments: [String], environment: [String: String] = [:], directory: String? = nil
    ) throws -> TestProcess {
        try TestProcess(Tools.netlab.path, arguments, environment: environment, directory: directory)
    }

    /// Whether both output pipes have reached their end: nothing more will come.
    var outputIsComplete: Bool {
        lock.lock()
        defer { lock.unlock() }
        return pipesAtEnd == 2
    }

    var stdout: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: output, as: UTF8.self)
    }
    var stderr: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: errors, as: UTF8.self)
    }

    /// Writes to the program's standard input; a program that has exited reads nothing, and no test crashes.
    func write(_ text: String) { try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8)) }

    /// Closes the program's standard input: it reads end of input.
    func closeInput() { try? input.fileHandleForWriting.close() }

    /// Waits (polling, bounded) until stdout has a first line, and returns it.
    func firstLine(within seconds: Double = 10) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            // One snapshot: read twice, output arriving in between would make an empty first line look complete.
            let text = stdout
            if let end = text.firstIndex(of: "\n") { return String(text[..<end]) }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestTimeout(seconds: seconds)
    }

    /// The port from a `listening on HOST:PORT (tcp)` line.
    func listeningPort() async throws -> Int {
        let line = try await firstLine()
        guard let match = line.firstMatch(of: /listening on .*:(\d+) \((tcp|udp)\)/), let port = Int(match.1) else {
            throw TestTimeout(seconds: 0)
        }
        return port
    }

    /// Waits for the program to exit, at most `seconds`, then kills it; returns its exit status.
    @discardableResult
    func wait(within seconds: Double = 10) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning {
            stop()
            throw TestTimeout(seconds: seconds)
        }
        // The last bytes are in once both pipes have reached their end (a child the program left running
        // may hold them open: then what came within the deadline is what there is).
        while !outputIsComplete && Date() < deadline.addingTimeInterval(5) {
            try await Task.sleep(for: .milliseconds(5))
        }
        return process.terminationStatus
    }

    /// Stops the program (SIGTERM, then SIGKILL) if it still runs. Foundation's Process starts programs
    /// with the spawning thread's signal mask, where SIGTERM may be blocked: a program that does not
    /// unblock it (nc, python3) is killed after a short grace, so cleanup never holds a test thread long.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(0.3)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }

    deinit { stop() }
}
