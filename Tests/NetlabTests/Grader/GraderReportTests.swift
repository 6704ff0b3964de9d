import Foundation
import Testing

@testable import NetlabGrader

/// The exercise folder, found from this file's path.
private enum ReportPaths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let root = tests.deletingLastPathComponent().deletingLastPathComponent()
    static let good = tests.appendingPathComponent("Fixtures/good").path
    static let library = ExerciseLibrary(folder: root.appendingPathComponent("exercises"))
}

@Suite(
    "Grade reports: times, checks not run, the program's output and cost", .machineShare, .tags(.integration, .slow),
    .enabled(if: Tools.isInstalled("python3")))
struct GraderReportTests {
    /// A program that prints a line and exits at once, never listening.
    private static let quitter = ["python3", "-c", "import sys; print('bye from the program'); sys.exit(2)"]

    @Test("after a program never listened, the checks not run are skipped and why is said once")
    func neverListenedIsSaidOnce() async throws {
        let exercise = try ReportPaths.library.exercise("hello-tcp")
        let report = try await Grader(exercise: exercise, command: Self.quitter).grade()
        #expect(report.results.count == 6)
        #expect(!report.results[0].skipped && !report.results[0].passed)
        #expect(report.results.dropFirst().allSatisfy { $0.skipped })

        let text = ReportFormat.text.render(report)
        // One line for the five checks not run, instead of five messages.
        #expect(text.contains("  5 checks were not run: the program never started listening"), "\(text)")
        #expect(text.components(separatedBy: "never started listening").count == 2, "\(text)")
        #expect(text.components(separatedBy: "hint:").count == 2, "one hint, the first check's: \(text)")
        #expect(text.hasSuffix("score 0/11: 1 of 6 checks failed, 5 not run"), "\(text)")

        let junit = ReportFormat.junit.render(report)
        let testcases = junit.components(separatedBy: "<testcase ").dropFirst()
        #expect(testcases.count == 6)
        #expect(testcases.allSatisfy { $0.firstMatch(of: /time="\d+\.\d{3}"/) != nil }, "\(junit)")
        #expect(junit.components(separatedBy: "<skipped message=").count == 6, "\(junit)")
        #expect(junit.contains(#"failures="1" skipped="5""#))
        #expect(junit.contains("<system-out>bye from the program</system-out>"), "\(junit)")
    }

    @Test("a grade measures its wall time and the CPU time and peak memory of what the program ran")
    func measuresUsage() async throws {
        let exercise = try ReportPaths.library.exercise("hello-udp")
        let report = try await Grader(
            exercise: exercise, command: ["python3", ReportPaths.good + "/udp_server.py", "hello", "{port}"]
        ).grade()
        #expect(report.isPassing)
        let usage = try #require(report.usage)
        #expect(usage.wallSeconds > 0.05)
        #expect(usage.wallSeconds >= report.results.reduce(0) { $0 + $1.seconds })
        #expect(usage.cpuSeconds > 0.005, "Python's start alone takes some CPU")
        #expect(usage.peakMemoryBytes > 4_000_000, "a Python process is several megabytes")
        #expect(report.results.allSatisfy { $0.seconds > 0 })

        let json = try #require(
            JSONSerialization.jsonObject(with: Data(ReportFormat.json.render(report).utf8)) as? [String: Any])
        let measured = try #require(json["usage"] as? [String: Any])
        #expect((measured["cpu_seconds"] as? Double ?? 0) > 0)
        #expect((measured["peak_memory_bytes"] as? Int ?? 0) > 4_000_000)
        #expect(((json["results"] as? [[String: Any]])?.first?["seconds"] as? Double ?? 0) > 0)
        // A report reads back as it was written: a batch's journal keeps them.
        let decoded = try JSONDecoder().decode(GradeReport.self, from: Data(ReportFormat.json.render(report).utf8))
        #expect(decoded.usage == report.usage)
        #expect(decoded.results.map(\.points) == report.results.map(\.points))
    }

    @Test("a check's visibility passes through to Gradescope; an unknown one is refused")
    func visibility() throws {
        func exercise(_ visibility: String) throws -> Exercise {
            let json = """
                {"title": "t", "writes": "w", "kind": "server", "transport": "udp", "reference": ["udp", "server"],
                 "checks": [{"name": "c", "points": 1, "hint": "h", "visibility": "\(visibility)",
                             "steps": [{"do": "send", "text": "x"}]}]}
                """
            return try JSONDecoder().decode(Exercise.self, from: Data(json.utf8))
        }
        #expect(try exercise("after_due_date").checks[0].visibility == "after_due_date")
        #expect(throws: DecodingError.self) { try exercise("secret") }

        let report = GradeReport(
            exercise: "x", title: "t", command: "c",
            results: [
                CheckResult(
                    name: "c", points: 0, maxPoints: 1, passed: false, message: "m", hint: "h",
                    visibility: "hidden")
            ], programOutput: [])
        let results = try #require(
            JSONSerialization.jsonObject(with: Data(ReportFormat.gradescope.render(report).utf8)) as? [String: Any])
        #expect((results["tests"] as? [[String: Any]])?.first?["visibility"] as? String == "hidden")
    }

    @Test("a check that uses a connection it never opened is an error in the exercise, said when it is read")
    func semanticErrorInAnExercise() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let exercises = home.appendingPathComponent("exercises")
        try FileManager.default.createDirectory(at: exercises, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: ReportPaths.library.folder.appendingPathComponent("hello-udp"),
            to: exercises.appendingPathComponent("hello-udp"))
        let broken = exercises.appendingPathComponent("a-broken-one")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data(
            """
            {"title": "Broken", "writes": "a server", "kind": "server", "transport": "tcp",
             "reference": ["tcp", "server", "--port", "{port}"],
             "checks": [{"name": "talks", "points": 1, "hint": "h",
                         "steps": [{"do": "connect"}, {"do": "send", "client": "b", "text": "hi"}]}]}
            """.utf8
        ).write(to: broken.appendingPathComponent("checks.json"))

        let check = try TestProcess.netlab(["check"], environment: ["NETLAB_HOME": home.path])
        defer { check.stop() }
        #expect(try await check.wait(within: 60) == 1)
        let out = check.stdout
        #expect(
            out.contains("FAIL  a-broken-one") && out.contains("uses connection 'b', which no earlier connect step"),
            "\(out)")
        #expect(out.contains("pass  hello-udp"), "the other exercise is still graded: \(out)")
        #expect(out.contains("1 of 2 exercises pass"), "\(out)")
    }

    @Test("the batch summary keeps the program's failing line, however long the message")
    func summaryKeepsTheFailingLine() {
        let message =
            "expected 'Welcome!' within 3 s, but the program closed the connection; the program ended (exit status 1); "
            + "its last lines: Traceback (most recent call last): | File \"/tmp/x/server.py\", line 12, in <module> | "
            + String(repeating: "x", count: 120) + " | KeyError: 'nickname'"
        let short = BatchGrader.shortened(message)
        #expect(short.hasSuffix("its last line: KeyError: 'nickname'"), "\(short)")
        #expect(short.count < 320)
        #expect(BatchGrader.shortened("short") == "short")
    }
}

@Suite(
    "A batch's Gradescope results", .machineShare, .tags(.integration, .slow),
    .enabled(if: Tools.isInstalled("python3")))
struct GradescopeBatchTests {
    @Test("--format gradescope --batch --output DIR writes one results.json per submission, as Gradescope takes it")
    func oneResultsFilePerSubmission() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-gs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let classFolder = root.appendingPathComponent("class")
        for student in ["alice", "bob"] {
            let folder = classFolder.appendingPathComponent(student)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: ReportPaths.good + "/udp_server.py", toPath: folder.appendingPathComponent("server.py").path)
        }
        try Data("print('no server here')\n".utf8).write(to: classFolder.appendingPathComponent("bob/server.py"))
        let results = root.appendingPathComponent("gradescope")
        let run = await runCLI([
            "grade", "hello-udp", "--batch", classFolder.path, "--cmd", "python3 {dir}/server.py hello {port}",
            "--format", "gradescope", "--output", results.path,
        ])
        #expect(run.status == 0, "\(run.err)")
        for (student, score) in [("alice", 7), ("bob", 0)] {
            let data = try Data(contentsOf: results.appendingPathComponent("\(student)/results.json"))
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(json["score"] as? Int == score, "\(student)")
            #expect((json["tests"] as? [Any])?.count == 3)
        }
    }
}
