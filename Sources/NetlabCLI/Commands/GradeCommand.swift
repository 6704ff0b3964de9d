import Foundation
import NetlabGrader
import NetlabProcesses
import NetlabSockets
import NetlabTopics

/// `netlab exercises`, `netlab exercise ID`, `netlab grade ID -- CMD...` and `netlab check`.
enum GradeCommand {
    static let exercises = Command(
        "exercises", summary: "List the exercises: id, title, and what the student writes.",
        options: [.key(.json.with(help: "print the list as JSON"))],
        examples: ["netlab exercises"],
        action: { invocation in
            let (all, problems) = try ExerciseLibrary.located().all()
            for (id, problem) in problems {
                invocation.console.err("netlab: skipped the exercise '\(id)': \(problem)")
            }
            if invocation[.json] {
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
            grader runs a server there. A word naming a file or folder (data.txt, src) is passed as written:
            the program runs in a private copy of them, where it means the same. Exit status: 0 when every
            check passes, 1 when one fails. --timeout bounds the whole grade: at the limit the program and
            everything it started are killed, and the checks left are reported as not run.

            Batch: --batch DIR grades every folder in DIR with --cmd, where {dir} is the submission's folder
            and {port} its port; --timeout applies to each submission. A submission without its program is
            that submission's 0, with the reason. With --output FILE, each submission's row is appended to
            FILE.journal as soon as it is graded, so an interrupted batch keeps what it graded; run the
            same command with --resume to grade only the rest and write the whole report. Exit status: 0
            when every submission was graded, whatever the scores; 3 when the grader itself could not
            grade one (its row says why; --resume grades it again); 1 when nothing could be graded.

            The program is untrusted. It runs in a private copy of its files (a batch's submission folder,
            or the files the command names), with a minimal environment, no terminal, and the limits below;
            every process it starts ends with its grade, however it detaches. As root (a grading server,
            CI) it also runs as a user of its own (uid 64000 and up) that sees neither the exercises'
            checks nor the other submissions; without root netlab says what it could not apply.
            """,
        options: [
            .key(.format), .key(.output), .key(.batch), .key(.batchCommand), .key(.jobs),
            .key(
                .timeout.with(
                    default: .seconds(120), help: "the most time one grade (with --batch: one submission's) may take")),
            .key(.resume), .key(.maxProcesses), .key(.maxMemory), .key(.maxFileSize), .key(.maxCPU),
            .key(.maxOpenFiles),
        ],
        positionals: [
            Positional("ID", help: "the exercise's id, from 'netlab exercises'"),
            Positional("-- CMD", help: "the program to grade and its arguments, after '--'", optional: true),
        ],
        examples: ["netlab grade hello-tcp -- python3 server.py {port}"],
        action: run)

    static let check = Command(
        "check", summary: "Grade every exercise against netlab's own reference solution and print the scoreboard.",
        options: [.key(.json.with(help: "print the scoreboard as JSON"))],
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
                    if !invocation[.json] {
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
                    if !invocation[.json] {
                        invocation.console.out(
                            "\(invocation.console.colored("FAIL", 31))  \(id.padding(toLength: width, withPad: " ", startingAt: 0))  "
                                + "its reference 'netlab \(name)' is not a netlab command; fix \"reference\" in its checks.json"
                        )
                    }
                    continue
                }
                let report = try await Grader(exercise: exercise, command: [netlab] + exercise.reference).grade()
                reports.append(report)
                if !invocation[.json] {
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
            if invocation[.json] {
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
        let format = invocation[.format]
        let timeout = invocation[.timeout]
        let output = invocation[.output]
        var isolation = Isolation()
        isolation.limits = try limits(invocation)
        isolation.hiddenFolders = [library.folder.path]  // its checks.json would give the answers away
        let text: String
        let status: Int32
        if let batch = invocation[.batch] {
            if invocation.hasTrailing {
                throw invocation.usageError(
                    "with --batch the command goes in --cmd, not after '--', as in --cmd 'python3 {dir}/server.py {port}'"
                )
            }
            guard let template = invocation[.batchCommand] else {
                throw invocation.usageError("--batch needs --cmd, such as --cmd 'python3 {dir}/server.py {port}'")
            }
            if !template.contains("{dir}") {
                throw invocation.usageError(
                    "--cmd must say where each submission is with {dir}, as in --cmd 'python3 {dir}/server.py {port}'")
            }
            if !template.contains("{port}") {
                throw invocation.usageError(
                    "--cmd must give each submission its port with {port}, as in --cmd 'python3 {dir}/server.py {port}'"
                )
            }
            if invocation[.resume], output == nil {
                throw invocation.usageError(
                    "--resume reads the journal next to --output FILE: give the same --output as the interrupted batch")
            }
            // Gradescope takes one results.json per submission: --output names the folder that holds them.
            let gradescopeFolder = format == .gradescope ? output : nil
            if let gradescopeFolder {
                try checkFolderWritable(gradescopeFolder)
            } else if let output {
                try checkWritable(output)
            }
            warnOfUnappliedProtections(invocation)
            let outcome = try await BatchGrader(
                exercise: exercise, folder: URL(fileURLWithPath: batch), template: template,
                jobs: invocation[.jobs], timeout: timeout, isolation: isolation,
                journal: output.map(BatchJournal.path(nextTo:)), resumes: invocation[.resume]
            ).grade()
            let rows = outcome.rows
            switch format {
            case .json: text = ReportFormat.json(rows)
            case .csv: text = BatchGrader.csv(rows, exercise: exercise)
            case .junit: text = ReportFormat.junit(rows.map { ($0.student, $0.report) })
            case .gradescope:
                if let gradescopeFolder {
                    let folder = URL(fileURLWithPath: gradescopeFolder)
                    for row in rows { try ReportFormat.writeGradescope(row.report, student: row.student, into: folder) }
                    text = "wrote \(rows.count) results.json files, one per submission, in \(folder.path)/STUDENT/"
                } else {
                    text = ReportFormat.json(
                        Dictionary(
                            uniqueKeysWithValues: rows.map { ($0.student, ReportFormat.GradescopeResults($0.report)) }))
                }
            case .text: text = BatchGrader.table(rows, exercise: exercise)
            }
            // Scores are the report's business; the status says whether the grader did its job.
            let ungraded = rows.filter { $0.graderError != nil }
            if !ungraded.isEmpty {
                invocation.console.err(
                    "\(invocation.commandPath): could not grade \(ungraded.count) of \(rows.count) submissions "
                        + "(\(ungraded.map(\.student).map(TerminalText.escaped).joined(separator: ", "))) — "
                        + "their rows say why; fix it and run the same command with --resume"
                        + (output == nil ? " and --output FILE" : ""))
            }
            if let problem = outcome.journalProblem {
                invocation.console.err("\(invocation.commandPath): \(problem); the report itself is complete")
            }
            status = outcome.isComplete && outcome.journalProblem == nil ? 0 : CLI.ExitStatus.incomplete
        } else {
            if invocation[.batchCommand] != nil {
                throw invocation.usageError(
                    "--cmd is for grading a class with --batch DIR; for one program, put it after '--'")
            }
            if invocation[.resume] {
                throw invocation.usageError("--resume is for a batch: it needs --batch DIR and --output FILE")
            }
            guard invocation.hasTrailing, !invocation.trailing.isEmpty else {
                throw invocation.usageError(
                    "missing the program to grade — put it after '--', as in: netlab grade \(exercise.id) -- python3 server.py {port}"
                )
            }
            guard let reportFormat = format.single else {
                throw invocation.usageError("--format csv is for --batch; use text, json, junit or gradescope")
            }
            if let output { try checkWritable(output) }
            warnOfUnappliedProtections(invocation)
            let report: GradeReport
            do {
                report = try await Grader(
                    exercise: exercise, command: invocation.trailing, totalTimeout: timeout, isolation: isolation
                ).grade()
            } catch let problem as SubmissionProblem {
                throw RuntimeError(problem.description)
            }
            status = report.isPassing ? 0 : 1
            text = reportFormat.render(
                report, color: invocation.console.usesColor && output == nil)
        }
        if let output, !(format == .gradescope && invocation[.batch] != nil) {
            do {
                try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw RuntimeError("cannot write the report to \(output) — check the folder exists and is writable")
            }
        } else {
            invocation.console.out(text)
        }
        return status
    }

    /// Checks that a folder of reports can be made or written at `folder`, before any grading.
    private static func checkFolderWritable(_ folder: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw RuntimeError(
                    "--output \(folder) is a file; with --format gradescope and --batch it names a folder, one "
                        + "results.json per submission in it — give a folder, such as gradescope-results")
            }
            guard FileManager.default.isWritableFile(atPath: folder) else {
                throw RuntimeError(
                    "cannot write the reports in \(folder): it is not writable — choose another --output")
            }
            return
        }
        let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
        guard FileManager.default.isWritableFile(atPath: parent) else {
            throw RuntimeError(
                "cannot make the folder \(folder): \(parent) is missing or not writable — make it first (mkdir -p)")
        }
    }

    /// Checks that a report can be written to `output`, before any grading: its folder exists and is
    /// writable, and it is not a folder.
    private static func checkWritable(_ output: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isFolder) {
            if isFolder.boolValue {
                throw RuntimeError(
                    "--output \(output) is a folder — give a file in it, such as \(output)/results.csv")
            }
            if !FileManager.default.isWritableFile(atPath: output) {
                throw RuntimeError(
                    "cannot write the report to \(output): the file is not writable — check its permissions")
            }
        }
        let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw RuntimeError(
                "cannot write the report to \(output): there is no folder \(folder) — make it first (mkdir -p)")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw RuntimeError(
                "cannot write the report to \(output): the folder \(folder) is not writable — choose another --output")
        }
    }

    /// The --max-* options as limits.
    private static func limits(_ invocation: Invocation) throws -> ProgramLimits {
        var limits = ProgramLimits()
        limits.processes = invocation[.maxProcesses]
        limits.cpuSeconds = invocation[.maxCPU]
        limits.openFiles = invocation[.maxOpenFiles]
        for (key, keyPath) in [(OptionKey.maxMemory, \ProgramLimits.memoryBytes), (.maxFileSize, \.fileSizeBytes)] {
            let text = invocation[key]
            guard let bytes = ProgramLimits.bytes(text) else {
                throw invocation.usageError(
                    "--\(key.name) must be a size such as 512M or 2G (K, M, G: 1024s), not '\(text)'")
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

/// `netlab grade --format`: a report format, or csv for a batch.
enum GradeFormat: String, CaseIterable, Sendable {
    case text, json, junit, gradescope, csv

    /// The format of one program's report; nil for csv, which only a batch has.
    var single: ReportFormat? { ReportFormat(rawValue: rawValue) }
}

extension OptionKey where Value == GradeFormat {
    /// `netlab grade --format`.
    static var format: Self {
        .choice(
            "format", "FORMAT", default: .text,
            help: "text, json, junit, gradescope (results.json), or csv (batch only)")
    }
}

extension OptionKey where Value == String? {
    /// `netlab grade --output`.
    static var output: Self {
        .text(
            "output", "FILE", kind: .file,
            help:
                "write the report to FILE instead of stdout (a batch in gradescope format: a folder, one STUDENT/results.json each)"
        )
    }
    /// `netlab grade --batch`.
    static var batch: Self { .text("batch", "DIR", kind: .folder, help: "grade every submission folder in DIR") }
    /// `netlab grade --cmd`.
    static var batchCommand: Self {
        .text(
            "cmd", "COMMAND",
            help: "with --batch: the command for one submission, e.g. 'python3 {dir}/server.py {port}'")
    }
}

extension OptionKey where Value == Bool {
    /// `netlab grade --resume`.
    static var resume: Self {
        .flag("resume", help: "with --batch and --output: keep the submissions the journal already holds")
    }
}

extension OptionKey where Value == Int {
    /// `netlab grade --jobs`.
    static var jobs: Self {
        .integer("jobs", "N", in: 1...16, default: 2, help: "with --batch: submissions graded at once")
    }
    /// `netlab grade --max-procs`.
    static var maxProcesses: Self {
        .integer(
            "max-procs", "N", in: 1...100_000, default: 128,
            help: "processes and threads the program may run (without root: beyond your own)")
    }
    /// `netlab grade --max-cpu`.
    static var maxCPU: Self {
        .integer("max-cpu", "SECONDS", in: 1...86_400, default: 60, help: "CPU time of each of its processes")
    }
    /// `netlab grade --max-open-files`.
    static var maxOpenFiles: Self {
        .integer("max-open-files", "N", in: 16...1_048_576, default: 256, help: "files and sockets open at once")
    }
}

extension OptionKey where Value == String {
    /// `netlab grade --max-memory`.
    static var maxMemory: Self {
        .text("max-memory", "SIZE", default: "2G", help: "address space of each of its processes, e.g. 512M")
    }
    /// `netlab grade --max-file-size`.
    static var maxFileSize: Self {
        .text("max-file-size", "SIZE", default: "64M", help: "the largest file it may write")
    }
}
