import Foundation
import NetlabSockets
import NetlabTopics

/// `netlab rexec server` and `netlab rexec client` (seed 004's remote commands, with framing).
enum RexecCommand {
    static let command = Command(
        "rexec", summary: "Remote commands over length-prefixed frames (seed 004), allow-listed and confined.",
        examples: ["netlab rexec server --port 0"],
        subcommands: [server, client])

    static let server = Command(
        "server", summary: "Run allow-listed commands that clients send, and reply with one frame each.",
        discussion: """
            Each reply: 4-byte big-endian header length, a JSON header (total_size, stdout_size, stderr_size,
            exit_status, truncated, timed_out), then stdout and stderr. Commands run without a shell, in --dir,
            with a minimal environment; only \(CommandPolicy.defaultAllowed.joined(separator: ", ")) run
            unless --allow adds one. Their options are read as each program reads them; an unknown option,
            a NUL or other control character, and options that follow links (ls -L) or read file names from
            a file are refused, and every path must stay inside --dir. A program added with --allow has
            every word, and every part of a word that could be an option's value, checked as a path.
            Once a client has ended a line with a newline, its requests end only at newlines. At most
            --max-commands run at once; a command is stopped when its client leaves while it runs.
            --shell runs '/bin/sh -c LINE' as the seed does, and only on a loopback --host.
            """,
        options: [
            .key(.host), .key(.port), .key(.folder.with(help: "the folder commands run in and may touch")),
            .key(.allow), .key(.timeout.with(default: .seconds(5), help: "stop a command after this long")),
            .key(.maxOutput), .key(.maxCommands), .key(.shell),
        ],
        examples: ["netlab rexec server --port 0 --dir /tmp/share --allow ps"],
        action: { invocation in
            let host = invocation[.host]
            let folder = invocation[.folder]
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw RuntimeError("--dir \(folder) is not a folder — give an existing folder")
            }
            if invocation[.shell], !isLoopback(host) {
                throw invocation.usageError(
                    "--shell runs whatever a client sends, so it is refused on \(host) — use it only with --host 127.0.0.1 or ::1"
                )
            }
            // The policy matches a command's name, never a path or a line: such an --allow could never match.
            if let useless = invocation[.allow].first(where: {
                $0.isEmpty || $0.contains("/") || $0.contains(" ")
            }) {
                throw invocation.usageError(
                    "--allow takes a command's name, such as --allow touch, not '\(useless)'; one name per --allow")
            }
            let policy = CommandPolicy(
                allowed: Set(CommandPolicy.defaultAllowed + invocation[.allow]), folder: folder,
                usesShell: invocation[.shell])
            let server = try RexecServer(
                host: host, port: invocation[.port], policy: policy, timeout: invocation[.timeout],
                maxOutput: invocation[.maxOutput], maxCommands: invocation[.maxCommands],
                console: invocation.console)
            ServerOptions.announce(try server.localAddress, transport: "tcp", invocation: invocation)
            return try await ServerLifetime.serve(server, console: invocation.console)
        })

    static let client = Command(
        "client", summary: "Run a command on a rexec server and show its output; exit with its status.",
        discussion: "With a command after '--', run it once. Without, run each line of input until an empty line.",
        options: [.key(.serverHost), .key(.serverPort), .key(.timeout.with(default: .seconds(10)))],
        positionals: [Positional("-- COMMAND", help: "the command to run, after '--'", optional: true)],
        examples: ["netlab rexec client --port 21567 -- ls -l"],
        action: { invocation in
            try await RexecClient(
                host: invocation[.host], port: invocation[.port], timeout: invocation[.timeout],
                console: invocation.console
            ).run(command: invocation.hasTrailing ? invocation.trailing : nil)
        })

    /// Whether a --host keeps the server on this machine.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

extension OptionKey where Value == [String] {
    /// `netlab rexec server --allow`.
    static var allow: Self { .repeatable("allow", "NAME", help: "also allow this command (repeatable)") }
}

extension OptionKey where Value == Int {
    /// `netlab rexec server --max-output`.
    static var maxOutput: Self {
        .integer(
            "max-output", "BYTES", in: 1...(1 << 30), default: 1_048_576,
            help: "cut stdout and stderr at this many bytes each")
    }

    /// `netlab rexec server --max-commands`.
    static var maxCommands: Self {
        .integer(
            "max-commands", "N", in: 1...4096, default: 32, help: "run at most N commands at once; refuse more at once")
    }
}

extension OptionKey where Value == Bool {
    /// `netlab rexec server --shell`.
    static var shell: Self {
        .flag("shell", help: "run each line with /bin/sh -c, as the seed does (loopback only)")
    }
}
