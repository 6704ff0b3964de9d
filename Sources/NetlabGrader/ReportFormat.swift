import Foundation
import NetlabSockets
import NetlabTopics

/// The shapes a grade report is written in: `--format text|json|junit|gradescope`.
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, json, junit, gradescope

    /// One program's report.
    public func render(_ report: GradeReport, color: Bool = false) -> String {
        switch self {
        case .text: Self.text(report, color: color)
        case .json: Self.json(report)
        case .junit: Self.junit([("", report)])
        case .gradescope: Self.gradescope(report)
        }
    }

    // MARK: text

    package static func text(_ report: GradeReport, color: Bool) -> String {
        func paint(_ text: String, _ code: Int) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines = ["\(report.exercise): \(report.title)", "program: \(report.command)", ""]
        let width = report.results.map { "\($0.points)/\($0.maxPoints)".count }.max() ?? 3
        for result in report.results {
            let score = "\(result.points)/\(result.maxPoints)"
            let padded = String(repeating: " ", count: width - score.count) + score
            let mark = result.passed ? paint("pass", 32) : result.skipped ? paint("skip", 33) : paint("FAIL", 31)
            lines.append("  \(mark)  \(padded)  \(result.name)")
            // A check not run has no message of its own: why is said once, below the list.
            if !result.passed, !result.skipped {
                lines.append("              \(result.message)")
                if !result.hint.isEmpty { lines.append("              hint: \(result.hint)") }
            }
        }
        let skipped = report.results.filter(\.skipped)
        var reasons: [String] = []
        for result in skipped where !reasons.contains(result.message) { reasons.append(result.message) }
        if !reasons.isEmpty { lines.append("") }
        for reason in reasons {
            let count = skipped.filter { $0.message == reason }.count
            let why = reason.hasPrefix("not run: ") ? String(reason.dropFirst("not run: ".count)) : reason
            lines.append("  \(count) \(count == 1 ? "check was" : "checks were") not run: \(why)")
        }
        let failed = report.results.filter { !$0.passed && !$0.skipped }.count
        var summary = failed == 0 ? "every check run passed" : "\(failed) of \(report.results.count) checks failed"
        if skipped.isEmpty, failed == 0 { summary = "every check passed" }
        if !skipped.isEmpty { summary += ", \(skipped.count) not run" }
        lines.append("")
        lines.append("score \(report.score)/\(report.maxScore): " + summary)
        return lines.joined(separator: "\n")
    }

    // MARK: json

    package static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    // MARK: junit

    /// JUnit XML: one test suite per program, one test case per check with the time it took; a check
    /// not run is `<skipped>`, and the program's last lines of output are the suite's `system-out`.
    package static func junit(_ reports: [(student: String, report: GradeReport)]) -> String {
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        func failed(_ report: GradeReport) -> Int { report.results.filter { !$0.passed && !$0.skipped }.count }
        func skipped(_ report: GradeReport) -> Int { report.results.filter(\.skipped).count }
        func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
        let failures = reports.reduce(0) { $0 + failed($1.report) }
        let skips = reports.reduce(0) { $0 + skipped($1.report) }
        let tests = reports.reduce(0) { $0 + $1.report.results.count }
        let total = reports.reduce(0.0) { $0 + ($1.report.usage?.wallSeconds ?? 0) }
        lines.append(
            #"<testsuites name="netlab" tests="\#(tests)" failures="\#(failures)" skipped="\#(skips)" time="\#(time(total))">"#
        )
        for (student, report) in reports {
            let name = student.isEmpty ? report.exercise : "\(student): \(report.exercise)"
            let wall = report.usage?.wallSeconds ?? report.results.reduce(0) { $0 + $1.seconds }
            lines.append(
                #"  <testsuite name="\#(xml(name))" tests="\#(report.results.count)" failures="\#(failed(report))" "#
                    + #"skipped="\#(skipped(report))" time="\#(time(wall))">"#)
            for result in report.results {
                let open =
                    #"    <testcase classname="\#(xml(name))" name="\#(xml(result.name))" time="\#(time(result.seconds))""#
                if result.passed {
                    lines.append(open + "/>")
                } else if result.skipped {
                    lines.append(open + ">")
                    lines.append(#"      <skipped message="\#(xml(result.message))"/>"#)
                    lines.append("    </testcase>")
                } else {
                    lines.append(open + ">")
                    lines.append(
                        #"      <failure message="\#(xml(result.message))">hint: \#(xml(result.hint))</failure>"#)
                    lines.append("    </testcase>")
                }
            }
            if !report.programOutput.isEmpty {
                lines.append("    <system-out>\(xml(report.programOutput.joined(separator: "\n")))</system-out>")
            }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n")
    }

    private static func xml(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "\n": escaped += "&#10;"
            default:
                // XML 1.0 forbids most control characters, even escaped.
                if scalar.value < 0x20 && scalar != "\t" {
                    escaped += "?"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    // MARK: gradescope

    /// Gradescope's results.json: a score and one test per check, with its output shown to the student.
    package static func gradescope(_ report: GradeReport) -> String {
        json(GradescopeResults(report))
    }

    /// Writes one submission's Gradescope `results.json` as `folder/STUDENT/results.json`, the layout a
    /// batch upload takes; written whole (a temporary file renamed), so a reader never sees half of one.
    package static func writeGradescope(_ report: GradeReport, student: String, into folder: URL) throws {
        let own = folder.appendingPathComponent(student, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
            try Data((gradescope(report) + "\n").utf8).write(
                to: own.appendingPathComponent("results.json"), options: .atomic)
        } catch {
            throw RuntimeError("cannot write \(own.path)/results.json — check the folder is writable")
        }
    }

    package struct GradescopeResults: Encodable {
        struct Test: Encodable {
            let name: String
            let score: Int
            let maxScore: Int
            let status: String
            let output: String
            /// As the check's checks.json says; left out when it says nothing (Gradescope's default).
            let visibility: String?

            enum CodingKeys: String, CodingKey {
                case name, score, status, output, visibility
                case maxScore = "max_score"
            }
        }

        let score: Int
        let output: String
        let executionTime: Int?
        let tests: [Test]

        enum CodingKeys: String, CodingKey {
            case score, output, tests
            case executionTime = "execution_time"
        }

        package init(_ report: GradeReport) {
            score = report.score
            output = "\(report.exercise): \(report.score)/\(report.maxScore)"
            executionTime = report.usage.map { Int($0.wallSeconds.rounded(.up)) }
            tests = report.results.map { result in
                Test(
                    name: result.name, score: result.points, maxScore: result.maxPoints,
                    status: result.passed ? "passed" : "failed",
                    output: result.passed ? "" : result.message + (result.hint.isEmpty ? "" : "\nHint: " + result.hint),
                    visibility: result.visibility)
            }
        }
    }
}
