import Foundation

/// `netlab exercises`, `netlab exercise ID`, `netlab grade ID -- CMD...` and `netlab check`.
enum GradeCommand {
    static let exercises = Command(
        "exercises", summary: "List the exercises: id, title, and what the student writes.",
        options: [.flag("json", help: "print the list as JSON")],
        examples: ["netlab exercises"],
        action: { invocation in
            let (all, problems) = try ExerciseLibrary.located().all()
            for (id, problem) in problems {
                invocation.console.err("netlab: skipped the exercise '\(id)': \(problem)")
            }
            if invocation.flag("json") {
                struct Entry: Encodable {
                    let id, title, writes, kind, transport: String
                    let points: Int
                }
                invocation.console.out(
                    ReportFormat.json(
                        all.map {
                            Entry(
                                id: $0.id, title: $0.title, writes: $0.writes, kind: $0.kind.rawValue,
                                transport: $0.transport.rawValue, points: $0.maxScore)
                        }))
                return 0
            }
            let width = all.map(\.id.count).max() ?? 0
            for exercise in all {
                invocation.console.out(
                    exercise.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + exercise.title + " — "
                        + exercise.writes)
            }
            return 0
        })

    static let exercise = Command(
        "exercise", summary: "Print an exercise's task: goal, protocol, example and how to grade it.",
        positionals: [Positional("ID", help: "the exercise's id, from 'netlab exercises'")],
        examples: ["netlab exercise hello-tcp"],
        action: { invocation in
            invocation.console.out(try ExerciseLibrary.located().readme(invocation.positionals[0]))
            return 0
        })

    static let grade = Command(
        "grade", summary: "Run a program against an exercise's loopback checks.",
        discussion: """
            The program's arguments may hold {port} and {host}, which the grader fills in (also as NETLAB_PORT
            and NETLAB_HOST in its environment). A server must listen on that port; for a client exercise the
            grader runs a server there. Exit status 0 only when every check passes.
            Batch: --batch DIR grades every folder in DIR with --cmd, where {dir} is the submission's folder.

            The program is untrusted. It runs in a private copy of its files (a batch's submission folder,
            or the files the command names), with a minimal environment, no terminal, and the limits below;
            every process it starts ends with its grade, however it detaches. As root (a grading server,
            CI) it also runs as a user of its own (uid 64000 and up) that sees neither the exercises'
            checks nor the other submissions; without root netlab says what it could not apply.
            """,
        options: [
            Option(
                "format", "FORMAT", kind: .choice(["text", "json", "junit", "gradescope", "csv"]), default: "text",
                help: "text, json, junit, gradescope (results.json), or csv (batch only)"),
            Option("output", "FILE", help: "write the report to FILE instead of stdout"),
            Option("batch", "DIR", help: "grade every submission folder in DIR"),
            Option(
                "cmd", "COMMAND",
                help: "with --batch: the command for one submission, e.g. 'python3 {dir}/server.py {port}'"),
            Option("jobs", "N", kind: .integer(1...16), default: "2", help: "with --batch: submissions graded at once"),
            Option("timeout", "SECONDS", kind: .seconds, default: "120", help: "the most time one grade may take"),
            Option(
                "max-procs", "N", kind: .integer(1...100_000), default: "128",
                help: "processes and threads the program may run (without root: beyond your own)"),
            Option("max-memory", "SIZE", default: "2G", help: "address space of each of its processes, e.g. 512M"),
            Option("max-file-size", "SIZE", default: "64M", help: "the largest file it may write"),
            Option(
                "max-cpu", "SECONDS", kind: .integer(1...86_400), default: "60",
                help: "CPU time of each of its processes"),
            Option(
                "max-open-files", "N", kind: .integer(16...1_048_576), default: "256",
                help: "files and sockets open at once"),
        ],
        positionals: [
            Positional("ID", help: "the exercise's id, from 'netlab exercises'"),
            Positional("-- CMD", help: "the program to grade and its arguments, after '--'", optional: true),
        ],
        examples: ["netlab grade hello-tcp -- python3 server.py {port}"],
        action: run)

    static let check = Command(
        "check", summary: "Grade every exercise against netlab's own reference solution and print the scoreboard.",
        options: [.flag("json", help: "print the scoreboard as JSON")],
        examples: ["netlab check"],
        action: { invocation in
            ChildProcess.stopAllOnInterrupt()
            let library = try ExerciseLibrary.located()
            let netlab = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            var reports: [GradeReport] = []
            var brokenExercises = 0
            let width = try library.ids().map(\.count).max() ?? 0
            for id in try library.ids() {
                let exercise: Exercise
                do {
                    exercise = try library.exercise(id)
                } catch {
                    // A broken checks.json fails its row; the other exercises are still graded.
                    brokenExercises += 1
                    if !invocation.flag("json") {
                        invocation.console.out(
                            "\(invocation.console.colored("FAIL", 31))  \(id.padding(toLength: width, withPad: " ", startingAt: 0))  "
                                + CLI.describe(error))
                    }
                    continue
                }
                // A reference that names no netlab command (a typo in checks.json) fails loudly.
                guard CommandTable.command(running: exercise.reference) != nil else {
                    brokenExercises += 1
                    let name = exercise.reference.prefix { !$0.hasPrefix("-") }.joined(separator: " ")
                    if !invocation.flag("json") {
                        invocation.console.out(
                            "\(invocation.console.colored("FAIL", 31))  \(id.padding(toLength: width, withPad: " ", startingAt: 0))  "
                                + "its reference 'netlab \(name)' is not a netlab command; fix \"reference\" in its checks.json"
                        )
                    }
                    continue
                }
                let report = try await Grader(exercise: exercise, command: [netlab] + exercise.reference).grade()
                reports.append(report)
                if !invocation.flag("json") {
                    let mark =
                        report.isPassing
                        ? invocation.console.colored("pass", 32) : invocation.console.colored("FAIL", 31)
                    invocation.console.out(
                        "\(mark)  \(id.padding(toLength: width, withPad: " ", startingAt: 0))  \(report.score)/\(report.maxScore)"
                    )
                    for result in report.results where !result.passed {
                        invocation.console.out("      \(result.name): \(result.message)")
                    }
                }
            }
            let passing = reports.filter(\.isPassing).count
            if invocation.flag("json") {
                invocation.console.out(ReportFormat.json(reports))
            } else {
                invocation.console.out("")
                invocation.console.out(
                    "\(passing) of \(reports.count + brokenExercises) exercises pass with netlab's reference solutions")
            }
            return passing == reports.count && brokenExercises == 0 ? 0 : 1
        })

    private static func run(_ invocation: Invocation) async throws -> Int32 {
        ChildProcess.stopAllOnInterrupt()
        let library = try ExerciseLibrary.located()
        let exercise = try library.exercise(invocation.positionals[0])
        if invocation.positionals.count > 1 {
            throw invocation.usageError(
                "put the program after '--', as in: netlab grade \(exercise.id) -- python3 server.py {port}")
        }
        let format = invocation.string("format")!
        let timeout = invocation.duration("timeout")
        var isolation = Isolation()
        isolation.limits = try limits(invocation)
        isolation.hiddenFolders = [library.folder.path]  // its checks.json would give the answers away
        let text: String
        let isPassing: Bool
        if let batch = invocation.string("batch") {
            if invocation.hasTrailing {
                throw invocation.usageError(
                    "with --batch the command goes in --cmd, not after '--', as in --cmd 'python3 {dir}/server.py {port}'"
                )
            }
            guard let template = invocation.string("cmd") else {
                throw invocation.usageError("--batch needs --cmd, such as --cmd 'python3 {dir}/server.py {port}'")
            }
            if !template.contains("{dir}") {
                throw invocation.usageError(
                    "--cmd must say where each submission is with {dir}, as in --cmd 'python3 {dir}/server.py {port}'")
            }
            warnOfUnappliedProtections(invocation)
            let rows = try await BatchGrader(
                exercise: exercise, folder: URL(fileURLWithPath: batch), template: template,
                jobs: invocation.int("jobs"), timeout: timeout, isolation: isolation
            ).grade()
            isPassing = rows.allSatisfy(\.report.isPassing)
            switch format {
            case "json": text = ReportFormat.json(rows)
            case "csv": text = BatchGrader.csv(rows, exercise: exercise)
            case "junit": text = ReportFormat.junit(rows.map { ($0.student, $0.report) })
            case "gradescope":
                text = ReportFormat.json(
                    Dictionary(
                        uniqueKeysWithValues: rows.map { ($0.student, ReportFormat.GradescopeResults($0.report)) }))
            default: text = BatchGrader.table(rows, exercise: exercise)
            }
        } else {
            if invocation.string("cmd") != nil {
                throw invocation.usageError(
                    "--cmd is for grading a class with --batch DIR; for one program, put it after '--'")
            }
            guard invocation.hasTrailing, !invocation.trailing.isEmpty else {
                throw invocation.usageError(
                    "missing the program to grade — put it after '--', as in: netlab grade \(exercise.id) -- python3 server.py {port}"
                )
            }
            if format == "csv" {
                throw invocation.usageError("--format csv is for --batch; use text, json, junit or gradescope")
            }
            warnOfUnappliedProtections(invocation)
            let report = try await Grader(
                exercise: exercise, command: invocation.trailing, totalTimeout: timeout, isolation: isolation
            ).grade()
            isPassing = report.isPassing
            text = ReportFormat(rawValue: format)!.render(
                report, color: invocation.console.usesColor && invocation.string("output") == nil)
        }
        if let output = invocation.string("output") {
            do {
                try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw RuntimeError("cannot write the report to \(output) — check the folder exists and is writable")
            }
        } else {
            invocation.console.out(text)
        }
        return isPassing ? 0 : 1
    }

    /// The --max-* options as limits.
    private static func limits(_ invocation: Invocation) throws -> ProgramLimits {
        var limits = ProgramLimits()
        limits.processes = invocation.int("max-procs")
        limits.cpuSeconds = invocation.int("max-cpu")
        limits.openFiles = invocation.int("max-open-files")
        for (name, keyPath) in [("max-memory", \ProgramLimits.memoryBytes), ("max-file-size", \.fileSizeBytes)] {
            let text = invocation.string(name)!
            guard let bytes = ProgramLimits.bytes(text) else {
                throw invocation.usageError(
                    "--\(name) must be a size such as 512M or 2G (K, M, G: 1024s), not '\(text)'")
            }
            limits[keyPath: keyPath] = bytes
        }
        return limits
    }

    /// One line on stderr naming the protections this machine does not allow, before grading.
    private static func warnOfUnappliedProtections(_ invocation: Invocation) {
        if let notice = Isolation.unappliedProtections() {
            invocation.console.err("\(invocation.commandPath): \(notice)")
        }
    }
}
