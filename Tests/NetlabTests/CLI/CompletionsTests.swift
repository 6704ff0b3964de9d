import Foundation
import Testing

/// Runs an installed program with `input` on stdin and returns its exit status, stdout and stderr, all of
/// both: stdout is read to its end and stderr goes to a file, read once the program has exited. A program
/// still running after 30 s is stopped, and its status is then not 0.
func runTool(
    _ program: String, _ arguments: [String], input: String = "", environment: [String: String] = [:]
) async throws -> (status: Int32, out: String, err: String) {
    let path = try #require(Tools.path(of: program))
    let files = NSTemporaryDirectory() + "netlab-tool-\(UUID().uuidString)"
    defer {
        try? FileManager.default.removeItem(atPath: files + ".in")
        try? FileManager.default.removeItem(atPath: files + ".err")
    }
    try Data(input.utf8).write(to: URL(fileURLWithPath: files + ".in"))
    try Data().write(to: URL(fileURLWithPath: files + ".err"))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        .merging(environment) { $1 }
    process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: files + ".in"))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: files + ".err"))
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let watchdog = Task {
        try await Task.sleep(for: .seconds(30))
        process.terminate()
    }
    let out = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    watchdog.cancel()
    let err = try Data(contentsOf: URL(fileURLWithPath: files + ".err"))
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

/// A completion script written to a file of its own, removed when the test ends.
final class ScriptFile: Sendable {
    let path: String

    init(_ text: String, suffix: String) throws {
        path = NSTemporaryDirectory() + "netlab-completions-\(UUID().uuidString).\(suffix)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("Shell completions", .machineShare, .tags(.integration))
struct CompletionsTests {
    /// Drives bash's completion function as bash does on TAB: COMP_WORDS and COMP_CWORD set, then
    /// `_netlab`; returns COMPREPLY, one word a line.
    private func bashCompletes(_ words: [String], script: ScriptFile) async throws -> [String] {
        let quoted = words.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let program = """
            source '\(script.path)'
            COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); COMPREPLY=()
            _netlab
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try await runTool("bash", ["--norc", "--noprofile", "-c", program])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err == "")
        return result.out.split(separator: "\n").map(String.init)
    }

    @Test("the bash script is valid bash and completes commands, options and choices")
    func bash() async throws {
        guard Tools.isInstalled("bash") else { return }
        let generated = await runCLI(["completions", "bash"])
        #expect(generated.status == 0)
        let script = try ScriptFile(generated.out, suffix: "bash")
        let syntax = try await runTool("bash", ["-n", script.path])
        #expect(syntax.status == 0, "\(syntax.err)")
        #expect(try await bashCompletes(["netlab", "tc"], script: script) == ["tcp"])
        #expect(try await bashCompletes(["netlab", "tcp", "server", "--re"], script: script) == ["--reply"])
        #expect(
            try await bashCompletes(["netlab", "tcp", "server", "--reply", ""], script: script)
                == ["timestamp", "echo", "upper", "hello"])
        #expect(try await bashCompletes(["netlab", "tcp", ""], script: script) == ["server", "client"])
        #expect(try await bashCompletes(["netlab", "ip", "split", "--h"], script: script) == ["--hosts", "--help"])
        #expect(try await bashCompletes(["netlab", "--ver"], script: script) == ["--version"])
        #expect(try await bashCompletes(["netlab", "udp", "client", "--port", ""], script: script) == [])
        let top = try await bashCompletes(["netlab", ""], script: script)
        #expect(top.contains("completions") && top.contains("manual") && top.contains("ip"))
    }

    @Test("the bash script completes a path after an option that takes one")
    func bashPaths() async throws {
        guard Tools.isInstalled("bash") else { return }
        let folder = NSTemporaryDirectory() + "netlab-completions-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: folder + "/socket-file"))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = try ScriptFile(await runCLI(["completions", "bash"]).out, suffix: "bash")
        let files = try await bashCompletes(["netlab", "tcp", "server", "--unix", folder + "/s"], script: script)
        #expect(Set(files) == [folder + "/socket-file", folder + "/sub"])
        let folders = try await bashCompletes(["netlab", "cmd", "server", "--dir", folder + "/s"], script: script)
        #expect(folders == [folder + "/sub"])
    }

    @Test("the zsh script is valid zsh")
    func zsh() async throws {
        guard Tools.isInstalled("zsh") else { return }
        let generated = await runCLI(["completions", "zsh"])
        #expect(generated.status == 0)
        #expect(generated.out.hasPrefix("#compdef netlab\n"))
        let script = try ScriptFile(generated.out, suffix: "zsh")
        let syntax = try await runTool("zsh", ["-n", script.path])
        #expect(syntax.status == 0, "\(syntax.err)")
        #expect(syntax.err == "")
    }

    @Test("the fish script is valid fish and completes commands, options and choices")
    func fish() async throws {
        guard Tools.isInstalled("fish") else { return }
        let generated = await runCLI(["completions", "fish"])
        #expect(generated.status == 0)
        let script = try ScriptFile(generated.out, suffix: "fish")
        let syntax = try await runTool("fish", ["--no-execute", script.path])
        #expect(syntax.status == 0, "\(syntax.err)")
        func completes(_ line: String) async throws -> Set<String> {
            let result = try await runTool(
                "fish", ["--no-config", "-c", "source '\(script.path)'; complete -C '\(line)'"])
            #expect(result.status == 0 && result.err == "", "\(line): \(result.err)")
            return Set(result.out.split(separator: "\n").map { String($0.prefix { $0 != "\t" }) })
        }
        for (line, expected) in [
            ("netlab tc", ["tcp"]), ("netlab tcp server --re", ["--reply"]),
            ("netlab tcp server --reply ", ["timestamp", "echo", "upper", "hello"]),
            ("netlab chat ", ["peer", "server", "client"]),
        ] {
            let got = try await completes(line)
            #expect(got == Set(expected), "fish completes '\(line)' with \(got.sorted())")
        }
    }

    @Test("an unknown shell is a usage error that names the shells")
    func unknownShell() async {
        let result = await runCLI(["completions", "bsh"])
        #expect(result.status == 64)
        #expect(
            result.err
                == "netlab completions: SHELL must be bash, zsh or fish, not 'bsh' — did you mean 'bash'?\n")
    }
}
