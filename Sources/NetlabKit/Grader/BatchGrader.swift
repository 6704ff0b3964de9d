import Foundation
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

    /// One student's grade, or why the submission could not be graded.
    public struct Row: Sendable, Encodable {
        public let student: String
        public let report: GradeReport
    }

    public func grade() async throws -> [Row] {
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
        let words = try CommandWords.split(template)
        if words.isEmpty {
            throw RuntimeError("--cmd is empty — give the command that runs one submission, with {dir} and {port}")
        }

        let queue = WorkQueue(count: names.count)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, jobs) {
                group.addTask {
                    while true {
                        guard let index = queue.take() else { return }
                        let name = names[index]
                        // The program runs in a private copy of its folder, which {dir} names; the
                        // class's folder, with every other submission, is hidden from it.
                        var isolation = isolation
                        isolation.submission = folder.appendingPathComponent(name).path
                        isolation.hiddenFolders.append(folder.path)
                        let grader = Grader(
                            exercise: exercise, command: words, totalTimeout: timeout, isolation: isolation)
                        let report: GradeReport
                        do {
                            report = try await grader.grade()
                        } catch let error as RuntimeError {
                            report = Self.notGraded(exercise, command: words, because: error)  // the others still are
                        }
                        queue.rows.withLock { $0.append(Row(student: name, report: report)) }
                    }
                }
            }
            try await group.waitForAll()
        }
        return queue.rows.withLock { $0 }.sorted { $0.student < $1.student }
    }

    /// A report failing every check, for a submission that could not be graded (its folder could not be copied).
    private static func notGraded(_ exercise: Exercise, command: [String], because error: RuntimeError) -> GradeReport {
        GradeReport(
            exercise: exercise.id, title: exercise.title, command: command.joined(separator: " "),
            results: exercise.checks.map {
                CheckResult(
                    name: $0.name, points: 0, maxPoints: $0.points, passed: false, message: "not graded: \(error)",
                    hint: "fix what the message names, then grade this submission again")
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
