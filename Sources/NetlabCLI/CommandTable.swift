/// netlab's command tree: every subcommand, in the order `netlab --help` lists them.
public enum CommandTable {
    public static let root: Command = Command(
        "netlab",
        summary: "A networking lab: the socket-programming course's servers, clients and lessons.",
        examples: ["netlab tcp server --port 0"],
        subcommands: [
            LessonsCommand.list,
            LessonsCommand.show,
            TCPCommand.command,
            UDPCommand.command,
            DaytimeCommand.command,
            CommandServerCommand.command,
            RexecCommand.command,
            FramingCommand.command,
            ChatCommand.command,
            GradeCommand.exercises,
            GradeCommand.exercise,
            GradeCommand.grade,
            GradeCommand.check,
            DemoCommand.command,
            BenchCommand.command,
            IPCommand.command,
            CompletionsCommand.completions,
            CompletionsCommand.manual,
        ])
}

extension CommandTable {
    /// The command that netlab's arguments `words` run (such as an exercise's reference,
    /// `chat server --port {port}`), or nil when this build has no such command.
    public static func command(running words: [String]) -> Command? {
        var command = root
        for word in words where !command.subcommands.isEmpty {
            guard let next = command.subcommands.first(where: { $0.name == word }) else { return nil }
            command = next
        }
        return command.action == nil ? nil : command
    }
}
