/// netlab's command tree: every subcommand, in the order `netlab --help` lists them.
public enum CommandTable {
    public static let root = Command(
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
            FramingDemo.command,
            ChatCommand.command,
            GradeCommand.exercises,
            GradeCommand.exercise,
            GradeCommand.grade,
            GradeCommand.check,
            DemoCommand.command,
            BenchCommand.command,
            IPCommand.command,
        ])
}
