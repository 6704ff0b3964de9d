import Foundation
import NetlabSockets
import NetlabTopics

/// `netlab cmd server` and `netlab cmd client` (exercise 16-5).
enum CommandServerCommand {
    static let command = Command(
        "cmd", summary: "The date / os / ls command server of exercise 16-5, and its client.",
        examples: ["netlab cmd server --port 0"],
        subcommands: [server, client])

    static let server = Command(
        "server", summary: "Answer date, os and ls; anything else gets the timestamp reply.",
        discussion: """
            date: the server's time in ctime form. os: the operating system's name and release.
            ls: the file names of --dir as one JSON array, sorted. Anything else: '[ctime] text'.
            A request is a line, or bytes without a newline followed by a short pause.
            """,
        options: [.key(.host), .key(.port), .key(.folder.with(help: "the folder whose names ls lists"))],
        examples: ["netlab cmd server --port 0 --dir /tmp"],
        action: { invocation in
            let folder = invocation[.folder]
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw RuntimeError("--dir \(folder) is not a folder — give an existing folder")
            }
            let server = try CommandServer(
                host: invocation[.host], port: invocation[.port], folder: folder,
                console: invocation.console)
            ServerOptions.announce(try server.localAddress, transport: "tcp", invocation: invocation)
            return try await ServerLifetime.serve(server, console: invocation.console)
        })

    static let client = Command(
        "client", summary: "Send each line of input (date, os, ls, ...) and print each reply.",
        discussion: "An empty line or the end of input quits.",
        options: [.key(.serverHost), .key(.serverPort), .key(.timeout), .key(.lineEnd)],
        examples: ["printf 'date\\nos\\nls\\n' | netlab cmd client --port 21567"],
        action: { invocation in
            try await TCPClient(
                host: invocation[.host], port: invocation[.port], timeout: invocation[.timeout],
                lineEnd: invocation[.lineEnd], console: invocation.console
            ).run()
        })
}

extension OptionKey where Value == String {
    /// `--dir`: the folder a server works in (the cmd server's ls, the rexec server's commands).
    static var folder: Self {
        .text("dir", "FOLDER", kind: .folder, default: ".", help: "the folder the server works in")
    }
}
