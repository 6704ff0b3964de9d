import Foundation
import Glibc
import Testing

@testable import NetlabCLI
@testable import NetlabGrader
@testable import NetlabProcesses
@testable import NetlabTopics

/// The exercise folder and the fixtures, found from this file's path.
private enum Paths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let root = tests.deletingLastPathComponent().deletingLastPathComponent()
    static let good = tests.appendingPathComponent("Fixtures/good").path
    static let broken = tests.appendingPathComponent("Fixtures/broken").path
    static let library = ExerciseLibrary(folder: root.appendingPathComponent("exercises"))
}

/// One program to grade and the checks (by number, from 1) it must fail.
struct GradeCase: Sendable, CustomTestStringConvertible {
    let exercise: String
    let command: [String]
    let mustFail: Set<Int>
    var testDescription: String {
        "\(exercise): \(command.dropFirst().map { ($0 as NSString).lastPathComponent }.joined(separator: " "))"
    }

    init(_ exercise: String, _ command: String, fails: Set<Int>) {
        self.exercise = exercise
        self.command =
            ["python3"]
            + command.split(separator: " ").map {
                String($0).replacingOccurrences(of: "good/", with: Paths.good + "/")
                    .replacingOccurrences(of: "broken/", with: Paths.broken + "/")
            }
        mustFail = fails
    }
}

private func grade(_ exercise: String, _ command: [String]) async throws -> GradeReport {
    try await GradeSlots.shared.run {
        try await Grader(exercise: try Paths.library.exercise(exercise), command: command, totalTimeout: .seconds(60))
            .grade()
    }
}

/// Every broken implementation, and the checks it is known to fail. Each check of each exercise appears.
let brokenCases: [GradeCase] = [
    GradeCase("tcp-timestamp-server", "broken/wrong_format_server.py tcp {port}", fails: [1, 2, 3, 4, 5, 6, 7, 8]),
    GradeCase("tcp-timestamp-server", "broken/line_based_server.py {port}", fails: [2]),
    GradeCase("tcp-timestamp-server", "broken/crash_on_disconnect.py timestamp {port}", fails: [4, 5, 6]),
    GradeCase("tcp-timestamp-server", "broken/seed_timestamp_server.py {port}", fails: [6]),
    GradeCase("tcp-timestamp-server", "broken/ascii_only_server.py tcp {port}", fails: [7]),
    GradeCase("tcp-timestamp-server", "broken/strips_newline_server.py {port}", fails: [8]),
    GradeCase("tcp-timestamp-server", "broken/never_listens.py {port}", fails: [1, 2, 3, 4, 5, 6, 7, 8]),
    GradeCase("tcp-timestamp-server", "broken/listens_then_hangs.py tcp {port}", fails: [1, 2, 3, 4, 5, 6, 7, 8]),
    GradeCase("hello-tcp", "broken/wrong_format_server.py tcp {port}", fails: [1, 2, 3, 4, 5]),
    GradeCase("hello-tcp", "broken/one_at_a_time_hello.py {port}", fails: [4]),
    GradeCase("hello-tcp", "broken/no_exit_hello.py {port}", fails: [3]),
    GradeCase("hello-tcp", "broken/crash_on_disconnect.py hello {port}", fails: [5]),
    GradeCase("hello-tcp", "broken/no_reuseaddr_hello.py {port}", fails: [6]),
    GradeCase("udp-timestamp-server", "broken/wrong_address_udp.py {port}", fails: [1, 2, 3, 4, 5]),
    GradeCase("udp-timestamp-server", "broken/empty_datagram_quits.py timestamp {port}", fails: [4]),
    GradeCase("udp-timestamp-server", "broken/ascii_only_server.py udp {port}", fails: [5]),
    GradeCase("hello-udp", "broken/wrong_format_server.py udp {port}", fails: [1, 2, 3]),
    GradeCase("hello-udp", "broken/wrong_address_udp.py {port}", fails: [1, 2, 3]),
    GradeCase("daytime", "broken/stale_time_udp.py {port}", fails: [1, 2, 3, 4]),
    GradeCase("daytime", "broken/empty_datagram_quits.py daytime {port}", fails: [4]),
    GradeCase("tcp-timestamp-client", "broken/bad_client.py bytes-repr tcp {host} {port}", fails: [1]),
    GradeCase("tcp-timestamp-client", "broken/bad_client.py prefix tcp {host} {port}", fails: [1, 2, 3]),
    GradeCase("tcp-timestamp-client", "broken/bad_client.py no-stop tcp {host} {port}", fails: [3, 4]),
    GradeCase("tcp-timestamp-client", "broken/bad_client.py eof-hang tcp {host} {port}", fails: [4]),
    GradeCase("udp-timestamp-client", "broken/bad_client.py bytes-repr udp {host} {port}", fails: [1]),
    GradeCase("udp-timestamp-client", "broken/bad_client.py prefix udp {host} {port}", fails: [1, 2, 3]),
    GradeCase("udp-timestamp-client", "broken/bad_client.py no-stop udp {host} {port}", fails: [2, 3, 4]),
    GradeCase("udp-timestamp-client", "broken/bad_client.py eof-hang udp {host} {port}", fails: [4]),
    GradeCase("configurable-client", "broken/bad_client.py fixed-port tcp {host} {port}", fails: [1, 2, 3, 4]),
    GradeCase("configurable-client", "broken/bad_client.py fixed-host tcp {host} {port}", fails: [2]),
    GradeCase("configurable-client", "broken/bad_client.py bytes-repr tcp {host} {port}", fails: [1, 2, 3]),
    GradeCase("cmd-server", "broken/seed_cmd_server.py fixed-date {port}", fails: [1]),
    // The timestamp server unchanged: '[ctime] date' holds the time but is not the answer to date.
    GradeCase("cmd-server", "good/tcp_timestamp_server.py {port}", fails: [1, 2, 3, 5, 6]),
    GradeCase("cmd-server", "broken/seed_cmd_server.py os-timestamp {port}", fails: [2]),
    GradeCase("cmd-server", "broken/listens_then_hangs.py tcp {port}", fails: [1, 2, 3, 4, 5, 6]),
    GradeCase("cmd-server", "broken/seed_cmd_server.py list-repr {port}", fails: [3]),
    GradeCase("cmd-server", "broken/seed_cmd_server.py crash {port}", fails: [6]),
    GradeCase("cmd-server", "broken/seed_cmd_server.py no-strip {port}", fails: [5]),
    GradeCase("cmd-server", "broken/cmd_server.py no-newline {port}", fails: [7]),
    GradeCase("cmd-server", "broken/cmd_server.py one-at-a-time {port}", fails: [8]),
    GradeCase("framed-client", "broken/bad_framed_client.py native-endian {host} {port}", fails: [1, 2, 3, 4, 5, 6]),
    GradeCase("framed-client", "broken/bad_framed_client.py one-recv {host} {port}", fails: [2, 3, 4, 6]),
    GradeCase("framed-client", "broken/bad_framed_client.py zero-as-closed {host} {port}", fails: [5]),
    GradeCase("half-duplex-chat", "broken/half_duplex_server.py seed {port}", fails: [6, 8]),
    GradeCase("half-duplex-chat", "broken/half_duplex_server.py full-duplex {port}", fails: [4, 5, 7]),
    GradeCase("half-duplex-chat", "broken/half_duplex_server.py echo {port}", fails: [2, 3]),
    GradeCase("half-duplex-chat", "broken/half_duplex_server.py silent {port}", fails: [1]),
    GradeCase("half-duplex-chat", "broken/half_duplex_server.py no-newline {port}", fails: [9]),
    GradeCase("half-duplex-chat", "broken/half_duplex_server.py empty-ok {port}", fails: [10]),
    GradeCase("room-chat-server", "broken/room_chat_server.py echo {port}", fails: [5, 6, 9]),
    GradeCase("room-chat-server", "broken/room_chat_server.py no-rooms {port}", fails: [3, 6, 9]),
    GradeCase("room-chat-server", "broken/room_chat_server.py one-at-a-time {port}", fails: [1, 9]),
    GradeCase("room-chat-server", "broken/room_chat_server.py crash-on-leave {port}", fails: [7, 8]),
    GradeCase("room-chat-server", "broken/room_chat_server.py share-name {port}", fails: [2]),
    GradeCase("room-chat-server", "broken/room_chat_server.py no-time {port}", fails: [4]),
    GradeCase("room-chat-server", "broken/room_chat_server.py no-newline {port}", fails: [10]),
    GradeCase("room-chat-server", "broken/room_chat_server.py keeps-name {port}", fails: [11]),
    GradeCase("room-chat-server", "broken/room_chat_server.py spin-on-leave {port}", fails: [12]),
    GradeCase("direct-chat-server", "broken/direct_chat_server.py echo {port}", fails: [2]),
    GradeCase("direct-chat-server", "broken/direct_chat_server.py one-at-a-time {port}", fails: [1]),
    GradeCase("direct-chat-server", "broken/direct_chat_server.py crash-on-leave {port}", fails: [5]),
    GradeCase("direct-chat-server", "broken/direct_chat_server.py share-name {port}", fails: [4]),
    GradeCase("direct-chat-server", "broken/direct_chat_server.py silent-unknown {port}", fails: [3]),
    GradeCase("direct-chat-server", "broken/direct_chat_server.py no-notices {port}", fails: [6]),
    GradeCase("direct-chat-server", "broken/direct_chat_server.py keeps-name {port}", fails: [7]),
    GradeCase("direct-chat-server", "broken/direct_chat_server.py spin-on-leave {port}", fails: [8]),
]

/// Correct Python 3 programs written from the seeds: they pass every check.
let goodCases: [GradeCase] = [
    GradeCase("tcp-timestamp-server", "good/tcp_timestamp_server.py {port}", fails: []),
    GradeCase("hello-tcp", "good/hello_tcp_server.py {port}", fails: []),
    GradeCase("udp-timestamp-server", "good/udp_server.py timestamp {port}", fails: []),
    GradeCase("hello-udp", "good/udp_server.py hello {port}", fails: []),
    GradeCase("daytime", "good/udp_server.py daytime {port}", fails: []),
    GradeCase("daytime", "good/udp_server.py daytime-iso {port}", fails: []),
    GradeCase("daytime", "good/udp_server.py daytime-rfc2822 {port}", fails: []),
    GradeCase("tcp-timestamp-client", "good/client.py tcp {host} {port}", fails: []),
    GradeCase("udp-timestamp-client", "good/client.py udp {host} {port}", fails: []),
    GradeCase("configurable-client", "good/client.py tcp {host} {port}", fails: []),
    GradeCase("cmd-server", "good/cmd_server.py {port}", fails: []),
    GradeCase("framed-client", "good/framed_client.py {host} {port}", fails: []),
    GradeCase("half-duplex-chat", "good/half_duplex_server.py {port}", fails: []),
    GradeCase("room-chat-server", "good/room_chat_server.py {port}", fails: []),
    GradeCase("direct-chat-server", "good/direct_chat_server.py {port}", fails: []),
]

@Suite("Grader", .machineShare, .tags(.integration, .slow))
struct GraderTests {
    @Test("every exercise passes with netlab's own reference solution")
    func referenceSolutions() async throws {
        let netlab = Tools.netlab.path
        for id in try Paths.library.ids() {
            let exercise = try Paths.library.exercise(id)
            let report = try await GradeSlots.shared.run {
                try await Grader(exercise: exercise, command: [netlab] + exercise.reference).grade()
            }
            #expect(report.isPassing, "\(id): \(report.results.filter { !$0.passed }.map(\.message))")
        }
    }

    @Test("the exercises ship, each with README.md, checks.json and starter.py")
    func exercisesShip() throws {
        let ids = try Paths.library.ids()
        #expect(
            Set(ids) == [
                "tcp-timestamp-server", "tcp-timestamp-client", "udp-timestamp-server", "udp-timestamp-client",
                "hello-tcp", "hello-udp", "configurable-client", "daytime", "cmd-server", "framed-client",
                "half-duplex-chat", "room-chat-server", "direct-chat-server",
            ])
        for id in ids {
            for file in ["README.md", "checks.json", "starter.py"] {
                let path = Paths.library.folder.appendingPathComponent(id).appendingPathComponent(file).path
                #expect(FileManager.default.fileExists(atPath: path), "\(id)/\(file)")
            }
        }
    }

    @Test(
        "a correct Python program from the seeds passes every check", .enabled(if: Tools.isInstalled("python3")),
        arguments: goodCases)
    func goodPrograms(_ gradeCase: GradeCase) async throws {
        let report = try await grade(gradeCase.exercise, gradeCase.command)
        #expect(report.isPassing, "\(report.results.filter { !$0.passed }.map { "\($0.name): \($0.message)" })")
    }

    @Test(
        "each broken implementation fails the checks it must fail", .enabled(if: Tools.isInstalled("python3")),
        arguments: brokenCases)
    func brokenPrograms(_ gradeCase: GradeCase) async throws {
        let report = try await grade(gradeCase.exercise, gradeCase.command)
        let failed = Set(report.results.enumerated().filter { !$0.element.passed }.map { $0.offset + 1 })
        #expect(
            gradeCase.mustFail.isSubset(of: failed),
            "failed \(failed.sorted()), expected at least \(gradeCase.mustFail.sorted())")
        #expect(!report.isPassing)
        // A failed check says why and what to do; a check not run says why (the text report says it once).
        for result in report.results where !result.passed {
            #expect(!result.message.isEmpty && (result.skipped || !result.hint.isEmpty))
        }
    }

    @Test("every check of every exercise is failed by at least one broken implementation")
    func everyCheckCovered() throws {
        for id in try Paths.library.ids() {
            let count = try Paths.library.exercise(id).checks.count
            let covered = brokenCases.filter { $0.exercise == id }.reduce(Set<Int>()) { $0.union($1.mustFail) }
            #expect(
                covered == Set(1...count),
                "\(id): checks \(Set(1...count).subtracting(covered).sorted()) have no broken implementation")
        }
    }

    @Test("grading the same program 20 times gives the same result")
    func repeatable() async throws {
        let exercise = try Paths.library.exercise("hello-tcp")
        let command = [Tools.netlab.path] + exercise.reference
        var scores: Set<String> = []
        for _ in 0..<20 {
            let report = try await GradeSlots.shared.run {
                try await Grader(exercise: exercise, command: command).grade()
            }
            scores.insert(report.results.map { "\($0.passed)" }.joined(separator: ","))
        }
        #expect(scores.count == 1, "\(scores)")
    }

    @Test(
        "a program that never listens is reported with its last lines, and no process is left",
        .enabled(if: Tools.isInstalled("python3")))
    func neverListens() async throws {
        // A uniquely named copy, so no other test's process can be mistaken for it.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-orphan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("never_listens_unique.py")
        try FileManager.default.copyItem(atPath: Paths.broken + "/never_listens.py", toPath: script.path)
        let exercise = try Paths.library.exercise("tcp-timestamp-server")
        let report = try await GradeSlots.shared.run {
            try await Grader(exercise: exercise, command: ["python3", script.path, "{port}"]).grade()
        }
        #expect(report.score == 0)
        let message = report.results[0].message
        #expect(message.contains("never listened on 127.0.0.1:"), "\(message)")
        #expect(message.contains("its last lines: starting up on port"), "\(message)")
        #expect(processes(matching: script.path).isEmpty)
    }

    @Test(
        "Ctrl-C of the grader ends the program under test and removes its temporary folder",
        .enabled(if: Tools.isInstalled("python3")))
    func interrupt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-sigint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("hangs_unique.py")
        try FileManager.default.copyItem(atPath: Paths.broken + "/listens_then_hangs.py", toPath: script.path)
        let grader = try TestProcess.netlab([
            "grade", "tcp-timestamp-server", "--", "python3", script.path, "tcp", "{port}",
        ])
        defer { grader.stop() }
        // The grader's own command line names the script too: look for the other process.
        let graderPID = grader.process.processIdentifier
        // Only once it runs python: a forked child still shows the grader's command line until it execs.
        func programUnderTest() -> [Int32] {
            processes(matching: script.path).filter { pid in
                pid != graderPID
                    && ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe"))?.contains(
                        "python") ?? false)
            }
        }
        // Wait until the program under test runs, then interrupt the grader.
        let deadline = ContinuousClock.now + .seconds(10)
        while programUnderTest().isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!programUnderTest().isEmpty)
        // The program runs in the grader's temporary folder: its working directory.
        let workFolder = programUnderTest().first.flatMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\($0)/cwd")
        }
        #expect(workFolder?.contains("netlab-grade-") == true, "\(workFolder ?? "no folder")")
        kill(graderPID, SIGINT)
        #expect(try await grader.wait() == 128 + SIGINT)
        // SIGKILL is sent before the grader exits; give the kernel a moment to finish the process off.
        let gone = ContinuousClock.now + .seconds(5)
        while !programUnderTest().isEmpty, ContinuousClock.now < gone { try await Task.sleep(for: .milliseconds(20)) }
        #expect(programUnderTest().isEmpty)
        if let workFolder { #expect(!FileManager.default.fileExists(atPath: workFolder), "\(workFolder) is left") }
    }

    @Test("lines typed on a program's standard input reach it, and closing it is the end of input")
    func typing() async throws {
        var options = ChildProcess.Options()
        options.keepsInputOpen = true
        let child = try ChildProcess(arguments: ["cat"], options: options, folder: NSTemporaryDirectory())
        defer { child.stop() }
        #expect(child.type(Array("one\n".utf8)))
        #expect(child.type(Array("two\n".utf8)))
        child.closeInput()
        #expect(child.waitUntilFinished(timeout: .seconds(5)))
        #expect(child.output == "one\ntwo\n")
        #expect(!child.type(Array("three\n".utf8)))
    }

    @Test("an exercise's reference names a command of netlab's, or none")
    func referenceLookup() {
        #expect(CommandTable.command(running: ["chat", "server", "--port", "{port}"])?.name == "server")
        #expect(CommandTable.command(running: ["tcp", "server", "--reply", "hello"])?.name == "server")
        #expect(CommandTable.command(running: ["chat", "nonsense", "--port", "{port}"]) == nil)
        #expect(CommandTable.command(running: ["chat"]) == nil)
    }

    @Test("the program under test gets SIGPIPE back at its default, and no socket of netlab's")
    func cleanChild() async throws {
        let folder = FileManager.default.temporaryDirectory.path
        let child = try ChildProcess(
            arguments: ["sh", "-c", "grep SigIgn /proc/self/status; ls -l /proc/self/fd | grep -c socket"],
            folder: folder)
        #expect(await child.waitForExit(timeout: .seconds(5)))
        let lines = child.output.split(separator: "\n").map(String.init)
        // SigIgn is a hexadecimal mask of ignored signals: bit N-1 is signal N.
        let ignored = UInt64(lines.first?.split(separator: "\t").last ?? "", radix: 16) ?? .max
        #expect(ignored & (1 << (UInt64(SIGPIPE) - 1)) == 0, "SIGPIPE is ignored in the child: \(lines)")
        #expect(ignored & (1 << (UInt64(SIGINT) - 1)) == 0, "SIGINT is ignored in the child: \(lines)")
        #expect(lines.last == "0", "the child inherited sockets: \(lines)")
    }

    @Test("reports come as text, JSON, JUnit XML and Gradescope results.json")
    func formats() async throws {
        let exercise = try Paths.library.exercise("hello-udp")
        let report = try await GradeSlots.shared.run {
            try await Grader(exercise: exercise, command: [Tools.netlab.path] + exercise.reference).grade()
        }
        let text = ReportFormat.text.render(report)
        #expect(text.hasPrefix("hello-udp: Hello server over UDP\n"))
        #expect(text.hasSuffix("score 7/7: every check passed"))
        let json = try JSONSerialization.jsonObject(with: Data(ReportFormat.json.render(report).utf8)) as? [String: Any]
        #expect(json?["score"] as? Int == 7)
        #expect((json?["results"] as? [Any])?.count == 3)
        let gradescope =
            try JSONSerialization.jsonObject(with: Data(ReportFormat.gradescope.render(report).utf8)) as? [String: Any]
        let tests = gradescope?["tests"] as? [[String: Any]]
        #expect(gradescope?["score"] as? Int == 7)
        #expect(tests?.first?["max_score"] as? Int == 3)
        #expect(tests?.first?["status"] as? String == "passed")
        let junit = ReportFormat.junit.render(report)
        #expect(junit.contains(#"<testsuite name="hello-udp" tests="3" failures="0" skipped="0" time=""#))
    }

    @Test(
        "batch grading writes one row per student and one column per check", .enabled(if: Tools.isInstalled("python3")))
    func batch() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-batch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (student, file) in [
            ("alice", "good/hello_tcp_server.py"), ("bob", "broken/one_at_a_time_hello.py"),
            ("=cmd\u{1B}[31m", "good/hello_tcp_server.py"),
        ] {
            let dir = folder.appendingPathComponent(student)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let source =
                file.hasPrefix("good/") ? Paths.good + "/" + file.dropFirst(5) : Paths.broken + "/" + file.dropFirst(7)
            try FileManager.default.copyItem(atPath: source, toPath: dir.appendingPathComponent("server.py").path)
        }
        let result = await runCLI([
            "grade", "hello-tcp", "--batch", folder.path, "--cmd", "python3 {dir}/server.py {port}", "--jobs", "2",
            "--format", "csv",
        ])
        #expect(result.status == 0, "a batch that graded every submission exits 0, whatever the scores")
        let rows = result.out.split(separator: "\n").map(String.init)
        #expect(rows.count == 4)
        #expect(rows[0].hasPrefix("student,greets each client with Welcome!,"))
        #expect(rows[0].hasSuffix(",score,max_score,first_failure,wall_seconds,cpu_seconds,peak_memory_mb"))
        // Sorted by name. A folder name that a spreadsheet would run as a formula stays text. The last three
        // columns, what grading cost, vary from run to run.
        func withoutUsage(_ row: String) -> String {
            row.split(separator: ",", omittingEmptySubsequences: false).dropLast(3).joined(separator: ",")
        }
        #expect(withoutUsage(rows[1]) == "'=cmd\u{1B}[31m,2,2,2,3,1,1,11,11,", "\(rows[1])")
        // A passing student has an empty first_failure.
        #expect(withoutUsage(rows[2]) == "alice,2,2,2,3,1,1,11,11,")
        #expect(rows[2].wholeMatch(of: /.*,11,11,,\d+\.\d,\d+\.\d\d,\d+\.\d/) != nil, "\(rows[2])")
        // One client at a time: the check with three clients at once gets 0 of its 3 points, and says why.
        #expect(rows[3].hasPrefix("bob,2,2,2,0,"))
        #expect(rows[3].contains(#",11,"serves several clients at once: "#))
    }

    @Test(
        "a program path relative to where netlab runs still works in the grader's temporary folder",
        .enabled(if: Tools.isInstalled("python3")))
    func relativePath() async throws {
        let relative = Paths.good.replacingOccurrences(of: FileManager.default.currentDirectoryPath + "/", with: "")
        #expect(!relative.hasPrefix("/"), "the tests run from the package folder")
        let result = await runCLI([
            "grade", "hello-udp", "--", "python3", relative + "/udp_server.py", "hello", "{port}",
        ])
        #expect(result.status == 0, "\(result.out)")
    }

    @Test("grade usage errors say how to call it")
    func usage() async {
        let missing = await runCLI(["grade", "hello-tcp"])
        #expect(missing.status == 64)
        #expect(
            missing.err
                == "netlab grade: missing the program to grade — put it after '--', as in: netlab grade hello-tcp -- python3 server.py {port}\n"
        )
        let unknown = await runCLI(["grade", "helo-tcp", "--", "true"])
        #expect(unknown.status == 1)
        #expect(
            unknown.err
                == "netlab: there is no exercise 'helo-tcp' — did you mean 'hello-tcp'? See 'netlab exercises' for the list\n"
        )
        let farOff = await runCLI(["exercise", "nope"])
        #expect(farOff.err == "netlab: there is no exercise 'nope'. See 'netlab exercises' for the list\n")
    }

    @Test("batch usage errors name the mistake: no {dir}, a command after '--', a folder that is not there")
    func batchUsage() async throws {
        let noDir = await runCLI(["grade", "hello-tcp", "--batch", "/tmp", "--cmd", "python3 server.py {port}"])
        #expect(noDir.status == 64)
        #expect(
            noDir.err
                == "netlab grade: --cmd must say where each submission is with {dir}, as in --cmd 'python3 {dir}/server.py {port}'\n"
        )
        let trailing = await runCLI([
            "grade", "hello-tcp", "--batch", "/tmp", "--cmd", "python3 {dir}/server.py {port}", "--", "python3", "x.py",
        ])
        #expect(trailing.status == 64)
        #expect(trailing.err.hasPrefix("netlab grade: with --batch the command goes in --cmd, not after '--'"))
        let cmdAlone = await runCLI(["grade", "hello-tcp", "--cmd", "python3 {dir}/server.py {port}"])
        #expect(cmdAlone.status == 64)
        #expect(cmdAlone.err.hasPrefix("netlab grade: --cmd is for grading a class with --batch DIR"))
        let missing = "/tmp/netlab-no-such-class-\(UUID().uuidString)"
        let noFolder = await runCLI(["grade", "hello-tcp", "--batch", missing, "--cmd", "python3 {dir}/s.py {port}"])
        #expect(noFolder.status == 1)
        #expect(
            noFolder.err
                == "netlab: there is no folder \(missing) — give --batch the folder that holds one folder per submission\n"
        )
    }

    @Test("a program's bytes are shown escaped: control characters cannot reach the reader's terminal")
    func escapedOutput() {
        #expect(TerminalText.escaped("a\u{1B}[31mred\u{07}\0\r\n\\") == #"a\x1b[31mred\x07\0\r\n\\"#)
        #expect(TerminalText.escaped("\u{9B}2J \u{202E}txt.exe") == #"\u{9b}2J \u{202e}txt.exe"#)
        #expect(TerminalText.escaped("你好\tok") == "你好\\tok")
    }

    @Test("a failing check quotes the program's reply escaped", .enabled(if: Tools.isInstalled("python3")))
    func escapedReply() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-escape-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("ansi.py")
        try """
        import socket, sys
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen()
        while True:
            c, _ = s.accept()
            c.sendall(b'\\x1b[2J\\x1b[31mRED\\x07\\n')
            c.close()
        """.write(to: script, atomically: true, encoding: .utf8)
        let report = try await grade("hello-tcp", ["python3", script.path, "{port}"])
        let text = ReportFormat.text.render(report, color: false)
        #expect(!text.contains("\u{1B}") && !text.contains("\u{07}"))
        #expect(text.contains(#"got '\x1b[2J\x1b[31mRED\x07'"#), "\(text)")
    }

    @Test("a daytime reply may be ctime, ISO 8601, RFC 2822 or date(1), if it is the time now")
    func currentTime() {
        let now = Date()
        func formatted(_ format: String, zone: TimeZone = .current) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = zone
            formatter.dateFormat = format
            return formatter.string(from: now)
        }
        let accepted = [
            CTime.string(for: time_t(now.timeIntervalSince1970)),
            formatted("yyyy-MM-dd'T'HH:mm:ss.SSSSSS"),
            formatted("yyyy-MM-dd HH:mm:ss.SSS"),
            formatted("yyyy-MM-dd'T'HH:mm:ssXXXXX", zone: TimeZone(identifier: "Asia/Shanghai")!),
            formatted("EEE, dd MMM yyyy HH:mm:ss Z", zone: TimeZone(identifier: "America/New_York")!),
            formatted("EEE MMM d HH:mm:ss zzz yyyy", zone: TimeZone(identifier: "UTC")!),
            "  " + formatted("EEEE, MMMM d, yyyy HH:mm:ss-zzz", zone: TimeZone(identifier: "UTC")!) + " ",
        ]
        for text in accepted {
            #expect(Matcher.currentTime.matches(text, now: now), "\(text)")
        }
        let rejected = [
            "Thu Sep  1 15:35:45 2016",  // a fixed time
            formatted("yyyy-MM-dd"),  // a date without the time
            "it is " + CTime.string(for: time_t(now.timeIntervalSince1970)),
            "\(Int(now.timeIntervalSince1970))",  // seconds since 1970 are not a date and time
            // The right time on the wrong day of the week.
            formatted("EEE MMM d HH:mm:ss yyyy", zone: .current)
                .replacing(formatted("EEE"), with: formatted("EEE") == "Mon" ? "Tue" : "Mon"),
        ]
        for text in rejected {
            #expect(!Matcher.currentTime.matches(text, now: now), "\(text)")
        }
        // ctime: true is stricter: the whole reply is the ctime, as `date` of exercise 16-5 answers.
        let stamp = CTime.string(for: time_t(now.timeIntervalSince1970))
        #expect(Matcher.ctime.matches(stamp, now: now))
        #expect(!Matcher.ctime.matches("[\(stamp)] date", now: now))
        #expect(!Matcher.ctime.matches(formatted("yyyy-MM-dd'T'HH:mm:ss"), now: now))
    }

    @Test("a time written with its zone is checked against that zone's day of the week, not UTC's")
    func weekdayInTheWrittenZone() {
        // 00:05:58 UTC on Sunday is still Saturday evening in New York and already Sunday morning in Shanghai.
        let now = Date(timeIntervalSince1970: 1_796_515_558)  // 2026-12-06 00:05:58 UTC
        for text in [
            "Sat, 05 Dec 2026 19:05:58 -0500", "Sun, 06 Dec 2026 08:05:58 +0800", "Sun, 06 Dec 2026 00:05:58 +0000",
            "Sun Dec  6 00:05:58 UTC 2026",
        ] {
            #expect(Matcher.currentTime.matches(text, now: now), "\(text)")
        }
        for text in [
            "Sun, 05 Dec 2026 19:05:58 -0500", "Sat, 06 Dec 2026 08:05:58 +0800", "Sat Dec  6 00:05:58 UTC 2026",
        ] {
            #expect(!Matcher.currentTime.matches(text, now: now), "\(text)")
        }
    }

    @Test(
        "a daytime reply naming the local zone passes in China too, where CST is not US Central",
        .enabled(if: Tools.isInstalled("python3")))
    func daytimeZoneNames() async throws {
        for zone in ["Asia/Shanghai", "Europe/Berlin", "UTC"] {
            let grader = try TestProcess(
                Tools.netlab.path,
                ["grade", "daytime", "--", "python3", Paths.good + "/udp_server.py", "daytime-date", "{port}"],
                environment: ["TZ": zone])
            defer { grader.stop() }
            grader.closeInput()
            #expect(try await grader.wait(within: 60) == 0, "\(zone): \(grader.stdout)")
        }
    }

    @Test("a broken checks.json is skipped with its line and column; the other exercises still list")
    func brokenChecksFile() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let exercises = home.appendingPathComponent("exercises")
        try FileManager.default.createDirectory(
            at: exercises.appendingPathComponent("broken-json"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Paths.library.folder.appendingPathComponent("hello-udp"),
            to: exercises.appendingPathComponent("hello-udp"))
        try "{\n  \"title\": \"x\",\n  \"checks\": [1,\n}\n".write(
            to: exercises.appendingPathComponent("broken-json/checks.json"), atomically: true, encoding: .utf8)
        // A check without points, none at all, or a regular expression that does not compile: refused too.
        for (name, broken) in [
            (
                "no-checks",
                #"{"title": "t", "writes": "w", "kind": "server", "transport": "tcp", "reference": [], "checks": []}"#
            ),
            (
                "bad-regex",
                #"{"title": "t", "writes": "w", "kind": "server", "transport": "tcp", "reference": [], "checks": [{"name": "n", "points": 1, "hint": "h", "steps": [{"do": "expect", "regex": "(unclosed"}]}]}"#
            ),
        ] {
            try FileManager.default.createDirectory(
                at: exercises.appendingPathComponent(name), withIntermediateDirectories: true)
            try broken.write(
                to: exercises.appendingPathComponent("\(name)/checks.json"), atomically: true, encoding: .utf8)
        }
        let library = ExerciseLibrary(folder: exercises)
        let (all, problems) = try library.all()
        #expect(all.map(\.id) == ["hello-udp"])
        #expect(problems.map(\.id) == ["bad-regex", "broken-json", "no-checks"])
        #expect(problems[0].problem.contains("'(unclosed' is not a regular expression"), "\(problems[0].problem)")
        #expect(problems[2].problem.contains("an exercise needs at least one check"), "\(problems[2].problem)")
        #expect(
            problems[1].problem
                == "exercises/broken-json/checks.json is not a valid exercise (not valid JSON: Invalid value at line 4, column 1) — see exercises/README.md"
        )
    }
}

/// The PIDs of running processes whose command line contains `text`.
func processes(matching text: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { Int32($0) }.filter { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        if status.contains(") Z ") { return false }  // a zombie is already gone, only not yet reaped
        return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
    }
}
