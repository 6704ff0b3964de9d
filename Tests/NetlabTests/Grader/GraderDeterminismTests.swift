import Foundation
import Testing

@testable import NetlabGrader

/// The exercise folder and the fixtures, found from this file's path.
private enum Paths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let root = tests.deletingLastPathComponent().deletingLastPathComponent()
    static let seeds = tests.appendingPathComponent("Fixtures/seeds").path
    static let library = ExerciseLibrary(folder: root.appendingPathComponent("exercises"))
}

/// One program graded again and again.
private struct Graded: Sendable {
    let exercise: String
    let command: [String]
    var name: String { "\(exercise): \(command.map { ($0 as NSString).lastPathComponent }.joined(separator: " "))" }
}

/// An exercise of the given checks (a JSON array), for a TCP server.
private func exercise(_ checks: String) throws -> Exercise {
    let json = """
        {"title": "t", "writes": "w", "kind": "server", "transport": "tcp", "reference": [], "checks": \(checks)}
        """
    return try JSONDecoder().decode(Exercise.self, from: Data(json.utf8))
}

/// Grades a Python program, given as its source, whose first argument is the port.
private func grade(_ exercise: Exercise, python source: String) async throws -> GradeReport {
    try await Grader(exercise: exercise, command: ["python3", "-c", source, "{port}"], totalTimeout: .seconds(60))
        .grade()
}

@Suite(
    "Each check judged by what happens in it", .machineShare, .tags(.integration, .slow),
    .enabled(if: Tools.isInstalled("python3")))
struct CheckIsolationTests {
    @Test("a close is an end of stream even when the program's reply is still unread, never a reset")
    func orderlyClose() async throws {
        // The seed's tsTserv.py: a reset (ConnectionResetError) ends it, an end of stream does not.
        let server = Paths.tests.appendingPathComponent("Fixtures/broken/seed_timestamp_server.py").path
        let checks = try exercise(
            """
            [{"name": "survives a client that leaves with a reply unread", "points": 1, "hint": "h", "steps": [
              {"do": "connect", "client": "a"}, {"do": "send", "client": "a", "text": "hello"}, {"do": "settle"},
              {"do": "close", "client": "a"},
              {"do": "connect", "client": "b"}, {"do": "send", "client": "b", "text": "again"},
              {"do": "expect", "client": "b", "timestamp": "again"}, {"do": "expect_running"}]},
             {"name": "a reset is a reset", "points": 1, "hint": "h", "steps": [
              {"do": "connect", "client": "a"}, {"do": "send", "client": "a", "text": "hello"},
              {"do": "expect", "client": "a", "timestamp": "hello"}, {"do": "close", "client": "a", "reset": true},
              {"do": "connect", "client": "b"}, {"do": "send", "client": "b", "text": "again"},
              {"do": "expect", "client": "b", "timestamp": "again"}]}]
            """)
        for _ in 0..<3 {
            let report = try await Grader(exercise: checks, command: ["python3", server, "{port}"]).grade()
            #expect(report.results.map(\.passed) == [true, false], "\(report.results.map(\.message))")
        }
    }

    @Test("a program that ends as a check's clients leave fails that check, and says how it ended")
    func endChargedToItsCheck() async throws {
        let server = Paths.tests.appendingPathComponent("Fixtures/broken/crash_on_disconnect.py").path
        let report = try await Grader(
            exercise: try Paths.library.exercise("tcp-timestamp-server"),
            command: ["python3", server, "timestamp", "{port}"]
        ).grade()
        // Its reply is right, but it ends when the client leaves: the first check's, not the second's.
        for result in report.results.prefix(3) {
            #expect(!result.passed)
            #expect(
                result.message
                    == "the program ended (exit status 1) during this check or as its clients left; its last lines: client left, so do I",
                "\(result.message)")
            #expect(result.hint.hasPrefix("a client leaving (recv returns b'' or raises ConnectionResetError)"))
        }
    }

    @Test("a program that crashes on a message is reported as crashed, with its last lines")
    func crashReportedAsCrash() async throws {
        let source = """
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()
            c, _ = s.accept()
            users = {}
            print(users[c.recv(1024).decode()])
            """
        let checks = try exercise(
            """
            [{"name": "answers", "points": 1, "hint": "h", "steps": [
              {"do": "connect"}, {"do": "send", "text": "alice"}, {"do": "expect", "exact": "hello"}]}]
            """)
        for _ in 0..<5 {
            let message = try await grade(checks, python: source).results[0].message
            #expect(
                message.hasPrefix(
                    "the program crashed (exit status 1) while client a waited for 'hello'; its last lines: "),
                "\(message)")
            #expect(message.hasSuffix("KeyError: 'alice'"), "\(message)")
            #expect(message.components(separatedBy: "KeyError").count == 2, "its last lines once: \(message)")
        }
    }

    @Test("a program that closes, works on for longer than the grader waits, then crashes, is reported as crashed")
    func slowCrashReportedAsCrash() async throws {
        // Closing first and crashing 0.4 s of CPU later: the step sees the close before the exit, and the
        // check's end must still say it crashed, however slow the machine (the CI rehearsal's wording flake).
        let source = """
            import socket, sys, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()
            c, _ = s.accept()
            name = c.recv(1024).decode()
            c.close()
            started = time.process_time()
            while time.process_time() - started < 0.4: pass
            raise KeyError(name)
            """
        let checks = try exercise(
            """
            [{"name": "answers", "points": 1, "hint": "h", "steps": [
              {"do": "connect"}, {"do": "send", "text": "alice"}, {"do": "expect", "exact": "hello"}]}]
            """)
        for _ in 0..<3 {
            let message = try await grade(checks, python: source).results[0].message
            #expect(
                message.hasPrefix(
                    "the program crashed (exit status 1) while client a waited for 'hello'; its last lines: "),
                "\(message)")
            #expect(message.hasSuffix("KeyError: 'alice'"), "\(message)")
        }
    }

    @Test("a program left busy by a check is started afresh for the next check")
    func busyProgramRestarted() async throws {
        // After 'spin' a thread spins for ever; 'fresh?' says whether one does.
        let source = """
            import socket, sys, threading
            def spin():
                while True: pass
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()
            while True:
                c, _ = s.accept()
                data = c.recv(1024)
                if data == b'spin':
                    threading.Thread(target=spin, daemon=True).start()
                    c.sendall(b'spinning\\n')
                else:
                    c.sendall(b'fresh\\n' if threading.active_count() == 1 else b'stale\\n')
                c.close()
            """
        let checks = try exercise(
            """
            [{"name": "spins", "points": 1, "hint": "h", "steps": [
              {"do": "connect"}, {"do": "send", "text": "spin"}, {"do": "expect", "exact": "spinning"}]},
             {"name": "starts fresh", "points": 1, "hint": "h", "steps": [
              {"do": "connect"}, {"do": "send", "text": "fresh?"}, {"do": "expect", "exact": "fresh"}]}]
            """)
        let report = try await grade(checks, python: source)
        #expect(report.results.map(\.passed) == [true, true], "\(report.results.map(\.message))")
    }

    @Test("settle waits until the program has acted on what it read, however long that takes it")
    func settleWaitsForTheProgramToRest() async throws {
        // Like seed 001's cs.py: success goes out before the user is stored, here 0.3 s of work later.
        let source = """
            import socket, sys, threading, time
            users = []
            def serve(c):
                name = c.recv(1024).decode()
                if name == 'who':
                    c.sendall((','.join(users) or 'nobody').encode()); return
                c.sendall(b'success')
                end = time.process_time() + 0.3
                while time.process_time() < end: pass
                users.append(name)
                c.recv(1024)
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()
            while True:
                c, _ = s.accept()
                threading.Thread(target=serve, args=(c,), daemon=True).start()
            """
        let checks = try exercise(
            """
            [{"name": "stores the user", "points": 1, "hint": "h", "steps": [
              {"do": "connect", "client": "a"}, {"do": "send", "client": "a", "text": "alice"},
              {"do": "expect", "client": "a", "exact": "success"}, {"do": "settle", "seconds": 3},
              {"do": "connect", "client": "b"}, {"do": "send", "client": "b", "text": "who"},
              {"do": "expect", "client": "b", "exact": "alice"}]}]
            """)
        let report = try await grade(checks, python: source)
        #expect(report.results[0].passed, "\(report.results[0].message)")
    }
}

@Suite("The same verdict every run", .machineShare, .tags(.integration, .slow))
struct GraderDeterminismTests {
    /// Runs per program: 20, as CI runs it. NETLAB_DETERMINISM_RUNS lowers it for a quick local run.
    static let runs = ProcessInfo.processInfo.environment["NETLAB_DETERMINISM_RUNS"].flatMap { Int($0) } ?? 20

    /// Grades at once.
    static let concurrentGrades = 16

    /// Each exercise's reference solution (as `netlab check` grades it), every good fixture case, each
    /// broken fixture (one case per file: a crashing or one-client-at-a-time one where the file has such a
    /// mode, else its first), and the seed's own cs.py. Every broken case 20 times would take longer than
    /// CI allows on two cores: the Python programs' own CPU time is most of a grade's.
    private static func programs() throws -> [Graded] {
        var programs = try Paths.library.ids().map { id in
            Graded(exercise: id, command: [Tools.netlab.path] + (try Paths.library.exercise(id)).reference)
        }
        guard Tools.isInstalled("python3") else {
            print("skipping the Python programs: python3 is not installed")
            return programs
        }
        programs += goodCases.map { Graded(exercise: $0.exercise, command: $0.command) }
        let files = Dictionary(grouping: brokenCases) { $0.command[1] }
        for file in files.keys.sorted() {
            let cases = files[file]!
            let chosen =
                cases.first { $0.command.contains { $0.contains("crash") } }
                ?? cases.first { $0.command.contains("one-at-a-time") } ?? cases[0]
            programs.append(Graded(exercise: chosen.exercise, command: chosen.command))
        }
        programs.append(
            Graded(exercise: "room-chat-server", command: ["python3", Paths.seeds + "/cs.py", "{port}"]))
        return programs
    }

    @Test("every program gets the same points for every check, run after run")
    func samePointsEveryRun() async throws {
        let programs = try Self.programs()
        // They mostly wait (for replies, silences, timeouts), so more than the machine's cores run at once.
        let slots = Slots(count: Self.concurrentGrades)
        let started = ContinuousClock.now
        // Every run of every program, the slowest first (those that wait out timeouts), so that the last
        // grades do not run alone.
        let work = (0..<Self.runs).flatMap { _ in programs.indices }.sorted {
            Self.isSlow(programs[$0]) && !Self.isSlow(programs[$1])
        }
        let reports = try await withThrowingTaskGroup(of: (Int, GradeReport).self) { group in
            for index in work {
                let program = programs[index]
                group.addTask {
                    let exercise = try Paths.library.exercise(program.exercise)
                    let report = try await slots.run {
                        try await TimedTurns.shared.heavy {
                            try await Grader(exercise: exercise, command: program.command).grade()
                        }
                    }
                    return (index, report)
                }
            }
            var reports = [[GradeReport]](repeating: [], count: programs.count)
            for try await (index, report) in group { reports[index].append(report) }
            return reports
        }
        let seconds = (ContinuousClock.now - started).seconds
        print(
            "graded \(programs.count) programs \(Self.runs) times, \(Self.concurrentGrades) at once, in "
                + String(format: "%.1f s", seconds))
        for (program, runs) in zip(programs, reports) {
            #expect(runs.count == Self.runs)
            let verdicts = Dictionary(grouping: runs) { $0.results.map(\.points) }
            if verdicts.count > 1 {
                // Say which checks differ, and why each way.
                let differences = Self.differences(runs)
                Issue.record(
                    "\(program.name): \(verdicts.count) different verdicts in \(Self.runs) runs: \(differences)")
            }
        }
    }

    /// How the runs' verdicts differ: each way each differing check went, and why.
    private static func differences(_ runs: [GradeReport]) -> String {
        var lines: [String] = []
        for check in runs[0].results.indices {
            var ways: Set<String> = []
            for run in runs {
                let result = run.results[check]
                ways.insert("\(result.points) points: \(result.message)")
            }
            if Set(runs.map { $0.results[check].points }).count > 1 {
                lines.append("check \(check + 1): " + ways.sorted().joined(separator: " | "))
            }
        }
        return lines.joined(separator: "; ")
    }

    /// Programs that wait out timeouts (they never listen, hang, or never answer as expected), or play
    /// long scenarios: about 10 to 40 s a grade where the others take 1 to 5 s.
    private static func isSlow(_ program: Graded) -> Bool {
        let slow = [
            "never_listens", "hangs", "one_at_a_time", "bad_framed_client", "wrong_address", "half_duplex", "cs.py",
        ]
        return program.command.contains { word in slow.contains { word.contains($0) } }
    }
}
