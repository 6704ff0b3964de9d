import Foundation

@testable import NetlabCLI
@testable import NetlabTopics

/// Helpers the IP tests share: running netlab in process, diffing lines, running Python and the calculators.
enum IPTestSupport {
    /// Runs `netlab ARGS...` in process and returns its exit status and both outputs.
    static func run(_ arguments: String...) async -> (status: Int32, out: String, err: String) {
        await run(arguments)
    }

    /// Runs `netlab` with these arguments in process and returns its exit status and both outputs.
    static func run(_ arguments: [String]) async -> (status: Int32, out: String, err: String) {
        let console = Console.capture()
        let status = await CLI.run(arguments, console: console)
        return (status, console.capturedOut, console.capturedErr)
    }

    /// The lines where two texts differ, printed when a word-for-word comparison fails.
    static func lineDiff(_ actual: String, _ expected: String) -> String {
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        var diff: [String] = []
        for index in 0..<max(actualLines.count, expectedLines.count) {
            let got = index < actualLines.count ? String(actualLines[index]) : "<missing>"
            let want = index < expectedLines.count ? String(expectedLines[index]) : "<missing>"
            if got != want { diff.append("line \(index + 1):\n  got:  \(got)\n  want: \(want)") }
        }
        return diff.joined(separator: "\n")
    }

    /// Runs a program to its end and returns its standard output, or nil when it cannot run or fails.
    ///
    /// The wait happens on a thread of its own: blocking one of the few threads async tests share
    /// would stall every other test running in parallel.
    static func output(of path: String, _ arguments: [String]) async -> String? {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: blockingOutput(of: path, arguments)) }.start()
        }
    }

    /// The same, waiting on the calling thread: only for one-time set-up outside any test's task.
    static func blockingOutput(of path: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// `scripts/ip/` in the checkout, where the oracle and benchmark scripts live.
    static var scripts: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/ip")
    }
}
