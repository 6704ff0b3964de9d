import Foundation
import NetlabProcesses
import NetlabSockets
import NetlabTopics
import Synchronization

/// Grades every submission folder in a class's folder, a few at a time, into one summary.
public struct BatchGrader: Sendable {
    public let exercise: Exercise
    public let folder: URL
    /// The command for each submission, with `{dir}` for its folder and `{port}` / `{host}`.
    public let template: String
    public let jobs: Int
    /// The most time one submission's grade may take.
    public var timeout: Duration = .seconds(120)
    /// Limits and hidden folders for every submission; each also gets its own folder copied and the
    /// class's folder hidden.
    public var isolation = Isolation()

    /// Where each submission's row is appended as it is graded (`BatchJournal`); nil: nowhere.
    public var journal: String?
    /// Whether the submissions the journal already holds are kept rather than graded again (a row the
    /// grader could not grade is graded again).
    public var resumes = false

    public init(
        exercise: Exercise, folder: URL, template: String, jobs: Int, timeout: Duration = .seconds(120),
        isolation: Isolation = Isolation(), journal: String? = nil, resumes: Bool = false
    ) {
        self.exercise = exercise
        self.folder = folder
        self.template = template
        self.jobs = jobs
        self.timeout = timeout
        self.isolation = isolation
        self.journal = journal
        self.resumes = resumes
    }

    /// One student's grade, or why the submission could not be graded.
    public struct Row: Sendable, Encodable {
        public let student: String
        public let report: GradeReport
        /// Why the grader itself could not grade the submission (its report's first check says so too);
        /// nil when it was graded. A submission's own fault (no program, too many files) is a grade.
        public let graderError: String?

        public init(student: String, report: GradeReport, graderError: String? = nil) {
            self.student = student
            self.report = report
            self.graderError = graderError
        }

        enum CodingKeys: String, CodingKey {
            case student, report
            case graderError = "grader_error"
        }
    }

    /// The batch's rows, and whether it could write every one to its journal.
    public struct Outcome: Sendable {
        public let rows: [Row]
        /// Why the journal is incomplete, if it is.
        public let journalProblem: String?

        /// Whether the grader graded every submission (whatever their scores).
        public var isComplete: Bool { rows.allSatisfy { $0.graderError == nil } }
    }

    /// The submission folders in `folder`, checked before any is graded.
    public func submissions() throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
            throw RuntimeError(
                "there is no folder \(folder.path) — give --batch the folder that holds one folder per submission")
        }
        guard isFolder.boolValue else {
            throw RuntimeError(
                "\(folder.path) is a file, not a folder — give --batch the folder that holds one folder per submission")
        }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw RuntimeError("cannot read the folder \(folder.path) — check its permissions")
        }
        let names = entries.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".")
                && FileManager.default.fileExists(
                    atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
        if names.isEmpty {
            throw RuntimeError(
                "\(folder.path) has no submission folders — put each student's files in a folder of their own")
        }
        return names
    }

    /// The command's words, checked before any submission is graded: a program that is not the
    /// submission's (python3) must exist here.
    public func commandWords() throws -> [String] {
        let words = try CommandWords.split(template)
        if words.isEmpty {
            throw RuntimeError("--cmd is empty — give the command that runs one submission, with {dir} and {port}")
        }
        try ProgramUnderTest.checkPaths(words)
        if !words[0].contains("{"),
            ChildProcess.executablePath(
                words[0], folder: FileManager.default.currentDirectoryPath,
                searchPath: ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") == nil
        {
            throw RuntimeError(
                "cannot find the program '\(words[0])' of --cmd — install it, or give its full path")
        }
        return words
    }

    /// Grades every submission (but those the journal holds, when resuming), `jobs` at a time, writing
    /// each row to the journal as it is graded. A submission the grader cannot grade gets a row saying
    /// why; the others are still graded.
    public func grade() async throws -> Outcome {
        let names = try submissions()
        let words = try commandWords()
        let header = BatchJournal.Header(netlabJournal: 1, exercise: exercise.id, command: template)
        var kept: [Row] = []
        if resumes, let journal {
            let present = Set(names)
            kept = try BatchJournal.rows(at: journal, for: header).filter {
                $0.graderError == nil && present.contains($0.student)
            }
        }
        let log = try journal.map { try BatchJournal(path: $0, header: header, appending: resumes) }
        defer { log?.close() }
        let done = Set(kept.map(\.student))
        let pending = names.filter { !done.contains($0) }

        let queue = WorkQueue(count: pending.count)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, jobs) {
                group.addTask {
                    while let index = queue.take() {
                        let row = await grade(pending[index], words: words)
                        log?.append(row)
                        queue.rows.withLock { $0.append(row) }
                    }
                }
            }
        }
        let rows = (kept + queue.rows.withLock { $0 }).sorted { $0.student < $1.student }
        return Outcome(rows: rows, journalProblem: log?.problem)
    }

    /// One submission's row: its grade, its own fault as a 0, or why the grader could not grade it.
    private func grade(_ name: String, words: [String]) async -> Row {
        // The program runs in a private copy of its folder, which {dir} names; the class's folder, with
        // every other submission, is hidden from it.
        var isolation = isolation
        isolation.submission = folder.appendingPathComponent(name).path
        isolation.hiddenFolders.append(folder.path)
        let grader = Grader(exercise: exercise, command: words, totalTimeout: timeout, isolation: isolation)
        do {
            return Row(student: name, report: try await grader.grade())
        } catch let problem as SubmissionProblem {
            return Row(student: name, report: Self.notGraded(exercise, command: words, because: problem.description))
        } catch {
            let reason = ErrorSentence.describing(error)
            return Row(
                student: name, report: Self.notGraded(exercise, command: words, because: reason),
                graderError: reason)
        }
    }

    /// A report failing every check, for a submission that could not be graded: the first check says why.
    private static func notGraded(_ exercise: Exercise, command: [String], because reason: String) -> GradeReport {
        GradeReport(
            exercise: exercise.id, title: exercise.title, command: command.joined(separator: " "),
            results: exercise.checks.enumerated().map { index, check in
                CheckResult(
                    name: check.name, points: 0, maxPoints: check.points, passed: false,
                    message: index == 0
                        ? "not graded: \(reason)" : "not run: the submission was not graded (see the first check)",
                    hint: "fix what the first check's message names, then grade this submission again")
            }, programOutput: [])
    }

    /// The summary as text: one row per student, one column per check.
    public static func table(_ rows: [Row], exercise: Exercise) -> String {
        var lines: [String] = []
        lines.append("\(exercise.id): \(exercise.title)")
        for (index, check) in exercise.checks.enumerated() {
            lines.append("  C\(index + 1)  \(check.name) (\(check.points) \(check.points == 1 ? "point" : "points"))")
        }
        lines.append("")
        // Folder names are the students' own: shown escaped, they cannot recolour the terminal.
        let names = rows.map { TerminalText.escaped($0.student) }
        let nameWidth = max(7, names.map(\.count).max() ?? 0)
        var header = "student".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        for index in exercise.checks.indices {
            header += "  " + "C\(index + 1)".padding(toLength: 3, withPad: " ", startingAt: 0)
        }
        header += "  score"
        lines.append(header)
        for (row, name) in zip(rows, names) {
            var line = name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            for result in row.report.results {
                line += "  " + "\(result.points)".padding(toLength: 3, withPad: " ", startingAt: 0)
            }
            line += "  \(row.report.score)/\(row.report.maxScore)"
            lines.append(line)
        }
        let failing = rows.filter { !$0.report.isPassing }
        if !failing.isEmpty {
            lines.append("")
            lines.append("Why points were lost (netlab grade \(exercise.id) -- ... on one submission shows the hints):")
            for row in failing {
                for (index, result) in row.report.results.enumerated() where !result.passed {
                    lines.append("  \(TerminalText.escaped(row.student)) C\(index + 1): \(shortened(result.message))")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A failure message cut to about one screen line's worth, for the summary. The program's last line
    /// (`SyntaxError: ...`, `KeyError: 'x'`) says most about why, so a long message keeps its end.
    static func shortened(_ message: String) -> String {
        guard message.count > 160 else { return message }
        let marker = "; its last lines: "
        guard let range = message.range(of: marker) else { return String(message.prefix(157)) + "..." }
        let head = message[..<range.lowerBound]
        let last = message[range.upperBound...].components(separatedBy: " | ").last ?? ""
        let shownHead = head.count > 100 ? head.prefix(97) + "..." : head
        let shownLast = last.count > 200 ? "..." + last.suffix(197) : Substring(last)
        return shownHead + "; its last line: " + shownLast
    }

    /// The summary as CSV, for a spreadsheet.
    public static func csv(_ rows: [Row], exercise: Exercise) -> String {
        func field(_ text: String) -> String {
            // A cell starting with = + - @ is a formula to a spreadsheet: a quote mark keeps it text.
            let text = text.first.map { "=+-@".contains($0) } == true ? "'" + text : text
            return text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let usageColumns = ["wall_seconds", "cpu_seconds", "peak_memory_mb"]
        var lines = [
            (["student"] + exercise.checks.map(\.name) + ["score", "max_score", "first_failure"] + usageColumns).map(
                field
            )
            .joined(separator: ",")
        ]
        for row in rows {
            let firstFailure = row.report.results.first { !$0.passed }.map { "\($0.name): \($0.message)" } ?? ""
            let usage = row.report.usage.map {
                [
                    String(format: "%.1f", $0.wallSeconds), String(format: "%.2f", $0.cpuSeconds),
                    String(format: "%.1f", Double($0.peakMemoryBytes) / 1_048_576),
                ]
            }
            let cells =
                [row.student] + row.report.results.map { "\($0.points)" } + [
                    "\(row.report.score)", "\(row.report.maxScore)", firstFailure,
                ] + (usage ?? ["", "", ""])
            lines.append(cells.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }
}

/// The submissions still to grade, and the rows graded so far, shared by the batch's jobs.
private final class WorkQueue: Sendable {
    private let next = Mutex(0)
    private let count: Int
    let rows = Mutex<[BatchGrader.Row]>([])

    init(count: Int) { self.count = count }

    /// The index of the next submission, or nil when none is left.
    func take() -> Int? {
        next.withLock { value in
            guard value < count else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
