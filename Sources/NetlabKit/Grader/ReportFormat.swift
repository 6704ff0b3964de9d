import Foundation

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

    static func text(_ report: GradeReport, color: Bool) -> String {
        func paint(_ text: String, _ code: Int) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var lines = ["\(report.exercise): \(report.title)", "program: \(report.command)", ""]
        let width = report.results.map { "\($0.points)/\($0.maxPoints)".count }.max() ?? 3
        for result in report.results {
            let score = "\(result.points)/\(result.maxPoints)"
            let padded = String(repeating: " ", count: width - score.count) + score
            let mark = result.passed ? paint("pass", 32) : paint("FAIL", 31)
            lines.append("  \(mark)  \(padded)  \(result.name)")
            if !result.passed {
                lines.append("              \(result.message)")
                if !result.hint.isEmpty { lines.append("              hint: \(result.hint)") }
            }
        }
        let failed = report.results.filter { !$0.passed }.count
        lines.append("")
        lines.append(
            "score \(report.score)/\(report.maxScore): "
                + (failed == 0 ? "every check passed" : "\(failed) of \(report.results.count) checks failed"))
        return lines.joined(separator: "\n")
    }

    // MARK: json

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    // MARK: junit

    /// JUnit XML: one test suite per program, one test case per check.
    static func junit(_ reports: [(student: String, report: GradeReport)]) -> String {
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        let failures = reports.reduce(0) { $0 + $1.report.results.filter { !$0.passed }.count }
        let tests = reports.reduce(0) { $0 + $1.report.results.count }
        lines.append(#"<testsuites name="netlab" tests="\#(tests)" failures="\#(failures)">"#)
        for (student, report) in reports {
            let name = student.isEmpty ? report.exercise : "\(student): \(report.exercise)"
            let failed = report.results.filter { !$0.passed }.count
            lines.append(
                #"  <testsuite name="\#(xml(name))" tests="\#(report.results.count)" failures="\#(failed)">"#)
            for result in report.results {
                let open = #"    <testcase classname="\#(xml(name))" name="\#(xml(result.name))""#
                if result.passed {
                    lines.append(open + "/>")
                } else {
                    lines.append(open + ">")
                    lines.append(
                        #"      <failure message="\#(xml(result.message))">hint: \#(xml(result.hint))</failure>"#)
                    lines.append("    </testcase>")
                }
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
    static func gradescope(_ report: GradeReport) -> String {
        json(GradescopeResults(report))
    }

    struct GradescopeResults: Encodable {
        struct Test: Encodable {
            let name: String
            let score: Int
            let maxScore: Int
            let status: String
            let output: String

            enum CodingKeys: String, CodingKey {
                case name, score, status, output
                case maxScore = "max_score"
            }
        }

        let score: Int
        let output: String
        let tests: [Test]

        init(_ report: GradeReport) {
            score = report.score
            output = "\(report.exercise): \(report.score)/\(report.maxScore)"
            tests = report.results.map { result in
                Test(
                    name: result.name, score: result.points, maxScore: result.maxPoints,
                    status: result.passed ? "passed" : "failed",
                    output: result.passed ? "" : result.message + (result.hint.isEmpty ? "" : "\nHint: " + result.hint))
            }
        }
    }
}
