import Foundation
import Glibc
import Synchronization
import Testing

@testable import NetlabGrader

/// The fixtures, found from this file's path.
private enum Fixtures {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let good = tests.appendingPathComponent("Fixtures/good").path
    static let broken = tests.appendingPathComponent("Fixtures/broken").path
}

/// A temporary folder of the test's own, removed by `remove()`.
private struct Scratch {
    let path: String

    init(_ name: String) throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("netlab-\(name)-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Copies `fixture` (`good/x.py` or `broken/x.py`) to `relative` inside the folder, made executable if asked.
    func put(_ fixture: String, at relative: String, executable: Bool = false) throws {
        let source =
            fixture.hasPrefix("good/")
            ? Fixtures.good + "/" + fixture.dropFirst(5) : Fixtures.broken + "/" + fixture.dropFirst(7)
        let target = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var text = try String(contentsOfFile: source, encoding: .utf8)
        if executable { text = "#!/usr/bin/env python3\n" + text }
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        _ = chmod(target, executable ? 0o755 : 0o644)
    }

    /// Writes `text` to `relative` inside the folder.
    func write(_ text: String, at relative: String) throws {
        let target = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
    }

    func folder(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A netlab run to its end: its status, output, how long it took and its peak memory.
private struct Finished {
    let status: Int32
    let out: String
    let err: String
    let seconds: Double
    /// Its peak resident memory (VmHWM), as last read while it ran.
    let peakKilobytes: Int
}

/// Runs netlab to its end, at most `limit` seconds (then it is stopped and the test fails), reading its
/// peak memory as it runs.
private func runNetlab(
    _ arguments: [String], environment: [String: String] = [:], directory: String? = nil, limit: Double
) async throws -> Finished {
    let started = ContinuousClock.now
    let netlab = try TestProcess.netlab(arguments, environment: environment, directory: directory)
    defer { netlab.stop() }
    let pid = netlab.process.processIdentifier
    var peak = 0
    while netlab.process.isRunning {
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        {
            peak = max(peak, kilobytes)
        }
        if (ContinuousClock.now - started).seconds > limit {
            netlab.stop()
            Issue.record("netlab ran past \(limit) s: \(arguments.joined(separator: " "))\n\(netlab.stdout)")
            throw TestTimeout(seconds: limit)
        }
        try await Task.sleep(for: .milliseconds(20))
    }
    let status = try await netlab.wait()
    return Finished(
        status: status, out: netlab.stdout, err: netlab.stderr, seconds: (ContinuousClock.now - started).seconds,
        peakKilobytes: peak)
}

/// The JSON report's checks' messages, in order.
private func messages(_ json: String) throws -> [String] {
    let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    return (report?["results"] as? [[String: Any]] ?? []).map { $0["message"] as? String ?? "" }
}

@Suite("Grader robustness", .machineShare, .tags(.integration, .slow))
struct GraderRobustnessTests {
    @Test(
        "a reply that never ends nor pauses fails its check; the grade ends within --timeout, its memory bounded",
        .enabled(if: Tools.isInstalled("python3")))
    func flood() async throws {
        let scratch = try Scratch("flood")
        defer { scratch.remove() }
        try scratch.put("broken/flood_server.py", at: "server.py")
        let run = try await GradeSlots.shared.run {
            try await timed {
                try await runNetlab(
                    [
                        "grade", "hello-tcp", "--timeout", "5", "--format", "json", "--", "python3", "server.py",
                        "{port}",
                    ],
                    directory: scratch.path, limit: 15)
            }
        }
        #expect(run.seconds < 5 + 3, "took \(run.seconds) s")
        #expect(run.status == 1, "a single grade that lost points exits 1")
        let first = try messages(run.out).first ?? ""
        #expect(
            first.hasPrefix("client a: expected 'Welcome!', but the reply never ended: more than 64 KiB came"),
            "\(first)")
        // The flood is gigabytes a second; netlab holds at most a reply's 64 KiB and one read of it.
        #expect(run.peakKilobytes > 0 && run.peakKilobytes < 150_000, "peak memory \(run.peakKilobytes) KiB")
    }

    @Test("the hard wall answers at its deadline, kills, and cancels work that ignores cancellation")
    func hardWall() async throws {
        try await timed {
            // Work that waits for ever and ignores cancellation: resumed only when the test ends.
            let stuck = Mutex<CheckedContinuation<Void, Never>?>(nil)
            let work = Task<Int, any Error> {
                await withCheckedContinuation { continuation in stuck.withLock { $0 = continuation } }
                return 1
            }
            let killed = Mutex(false)
            let started = ContinuousClock.now
            let ending = await HardWall.wait(
                for: work, until: .now + .milliseconds(300), grace: .milliseconds(200)
            ) { killed.withLock { $0 = true } }
            let took = ContinuousClock.now - started
            guard case .expired(nil) = ending else {
                Issue.record("expected the wall to give up on the work, got \(ending)")
                return
            }
            #expect(killed.withLock { $0 })
            #expect(work.isCancelled)
            #expect(took >= .milliseconds(500) && took < .seconds(3), "answered after \(took)")
            // Work that ends before its deadline is answered at once with its result.
            let quick = Task<Int, any Error> { 7 }
            guard
                case .finished(.success(7)) = await HardWall.wait(
                    for: quick, until: .now + .seconds(10), grace: .zero, onExpiry: {})
            else {
                Issue.record("expected the quick work's result")
                return
            }
            while stuck.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(5)) }
            stuck.withLock { $0?.resume() }
        }
    }

    @Test("a reply that keeps dripping without a line end or a pause fails after the longest a reply may take")
    func drip() async throws {
        try await timed {
            let (sender, receiver) = try await loopbackPair()
            defer {
                sender.close()
                receiver.close()
            }
            // A thread of its own, not a task: on a loaded machine a task could wait longer than the
            // grader's pause for a turn on the shared pool, and a late drip looked like a reply's end.
            let stop = StopFlag()
            Thread.detachNewThread {
                for _ in 0..<500 where !stop.isSet {
                    _ = sender.sendWithoutWaiting(Array("x".utf8))
                    usleep(10_000)
                }
            }
            defer { stop.set() }
            var connection = GraderConnection(socket: receiver, maxReplyTime: .milliseconds(400))
            let started = ContinuousClock.now
            await #expect(throws: ReplyNeverEnded.self) {
                _ = try await connection.readReply(within: .seconds(2))
            }
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }

    @Test(
        "waiting for a connection to stay open after bytes came is cancelled with its check",
        .enabled(if: Tools.isInstalled("python3")))
    func staysOpenIsCancellable() async throws {
        // The hello server greets and then waits: the greeting sits unread while the check waits 20 s.
        let exercise = try JSONDecoder().decode(
            Exercise.self,
            from: Data(
                """
                {"title": "stays open", "writes": "a server", "kind": "server", "transport": "tcp",
                 "reference": [], "checks": [{"name": "stays open", "points": 1, "hint": "none",
                 "steps": [{"do": "connect"}, {"do": "expect_open", "within": 20}]}]}
                """.utf8))
        // Timed inside the slot: waiting for a free slot behind other tests is not the grade's time.
        let (report, took) = try await GradeSlots.shared.run {
            try await timed {
                let started = ContinuousClock.now
                let report = try await Grader(
                    exercise: exercise, command: ["python3", Fixtures.good + "/hello_tcp_server.py", "{port}"],
                    totalTimeout: .seconds(2)
                ).grade()
                return (report, ContinuousClock.now - started)
            }
        }
        // Cancelled at the limit, not left spinning until the wall gives up on it (2 s more) or the 20 s pass.
        #expect(took < .milliseconds(3500), "took \(took)")
        #expect(!report.results[0].passed)
    }

    @Test("text decoded as its bytes come is the text decoded at once, however the bytes are split")
    func incrementalDecoding() {
        let samples = ["hello", "héllo wörld", "日本語のテキスト", "emoji 🙂👍🏽 end", "\u{0}ctrl\u{1B}[31m"]
        var generator = SystemRandomNumberGenerator()
        for sample in samples {
            var bytes = Array(sample.utf8)
            bytes += [0xE2, 0x82]  // an unfinished character at the end waits for the rest
            for _ in 0..<50 {
                var decoded = ""
                var decodedCount = 0
                var buffer: [UInt8] = []
                var offset = 0
                while offset < bytes.count {
                    let step = Int.random(in: 1...4, using: &generator)
                    buffer += bytes[offset..<min(bytes.count, offset + step)]
                    offset += step
                    let end = GraderConnection.completeUTF8Prefix(of: buffer, from: decodedCount)
                    decoded += String(decoding: buffer[decodedCount..<end], as: UTF8.self)
                    decodedCount = end
                }
                #expect(decoded == sample)
                #expect(decodedCount == bytes.count - 2)
            }
        }
    }

    @Test(
        "--timeout applies to each submission of a batch: one that hangs or floods does not hold up the class",
        .enabled(if: Tools.isInstalled("python3")))
    func batchTimeout() async throws {
        let scratch = try Scratch("batch-timeout")
        defer { scratch.remove() }
        try scratch.put("broken/flood_server.py", at: "class/flood/server.py")
        try scratch.put("broken/one_at_a_time_hello.py", at: "class/serial/server.py")
        try scratch.put("good/hello_tcp_server.py", at: "class/good/server.py")
        let run = try await GradeSlots.shared.run {
            try await timed {
                try await runNetlab(
                    [
                        "grade", "hello-tcp", "--batch", scratch.path + "/class", "--cmd",
                        "python3 {dir}/server.py {port}",
                        "--jobs", "2", "--timeout", "3", "--format", "csv",
                    ], limit: 30)
            }
        }
        // Two rounds of at most 3 s each, and a margin for a loaded machine.
        #expect(run.seconds < 3 + 3 + 4, "took \(run.seconds) s")
        #expect(run.status == 0, "every submission was graded: \(run.err)")
        let rows = run.out.split(separator: "\n").map(String.init)
        #expect(rows.count == 4, "\(run.out)")
        // Each broken submission lost points (how many depends on how far it got in its 3 s).
        for student in ["flood", "serial"] {
            let fields = rows.first { $0.hasPrefix(student + ",") }?.split(separator: ",").map(String.init) ?? []
            #expect(fields.count > 8 && fields[8] == "11" && Int(fields[7]).map { $0 < 11 } == true, "\(run.out)")
        }
    }

    @Test(
        "a missing or non-executable program is that submission's 0 with the reason; the batch exits 0",
        .enabled(if: Tools.isInstalled("python3")))
    func missingProgram() async throws {
        let scratch = try Scratch("batch-missing")
        defer { scratch.remove() }
        try scratch.put("good/hello_tcp_server.py", at: "class/alice/server.py", executable: true)
        try scratch.folder("class/bob")  // an empty submission
        try scratch.put("good/hello_tcp_server.py", at: "class/carol/server.py", executable: false)
        let result = try await GradeSlots.shared.run {
            await runCLI([
                "grade", "hello-tcp", "--batch", scratch.path + "/class", "--cmd", "{dir}/server.py {port}", "--format",
                "csv",
            ])
        }
        #expect(result.status == 0, "\(result.err)")
        let rows = result.out.split(separator: "\n").map(String.init)
        #expect(rows.count == 4)
        #expect(rows[1].hasPrefix("alice,2,2,2,3,1,1,11,11,"), "\(rows[1])")
        #expect(rows[2].hasPrefix("bob,0,0,0,0,0,0,0,11,"), "\(rows[2])")
        #expect(
            rows[2].contains(
                "greets each client with Welcome!: not graded: the submission has no program '\(scratch.path)/class/bob/server.py'"
            ), "\(rows[2])")
        #expect(
            rows[3].contains("not graded: the program '\(scratch.path)/class/carol/server.py' is not executable"),
            "\(rows[3])")
    }

    @Test("--output is checked before any submission is graded")
    func outputCheckedFirst() async throws {
        try await timed {
            let scratch = try Scratch("batch-output")
            defer { scratch.remove() }
            try scratch.put("broken/listens_then_hangs.py", at: "class/slow/server.py")
            let missing = scratch.path + "/no-such-folder/results.csv"
            let started = ContinuousClock.now
            let result = await runCLI([
                "grade", "hello-tcp", "--batch", scratch.path + "/class", "--cmd", "python3 {dir}/server.py tcp {port}",
                "--output", missing,
            ])
            #expect(ContinuousClock.now - started < .seconds(2), "the submission was graded first")
            #expect(result.status == 1)
            #expect(
                result.err
                    == "netlab: cannot write the report to \(missing): there is no folder \(scratch.path)/no-such-folder — make it first (mkdir -p)\n"
            )
        }
    }

    @Test(
        "each submission is journaled as it is graded: an interrupted batch keeps it, and --resume grades the rest",
        .enabled(if: Tools.isInstalled("python3")))
    func journalAndResume() async throws {
        let scratch = try Scratch("batch-resume")
        defer { scratch.remove() }
        try scratch.put("good/hello_tcp_server.py", at: "class/alice/server.py")
        // zed accepts every client and never answers: each check waits out its limit, so the batch is still
        // grading zed, tens of seconds later, when it is interrupted.
        try scratch.write(
            """
            import socket, sys, time
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[1])))
            s.listen(16)
            held = []
            while True:
                held.append(s.accept()[0])
            """, at: "class/zed/server.py")
        let output = scratch.path + "/results.csv"
        let command = [
            "grade", "hello-tcp", "--batch", scratch.path + "/class", "--cmd", "python3 {dir}/server.py {port}",
            "--jobs", "1", "--format", "csv", "--output", output,
        ]
        let batch = try TestProcess.netlab(command + ["--timeout", "60"])
        defer { batch.stop() }
        // alice is graded first and journaled at once; zed then hangs until the batch is interrupted.
        let journal = output + ".journal"
        try await waitUntil(within: 20) {
            ((try? String(contentsOfFile: journal, encoding: .utf8)) ?? "").contains(#""student":"alice""#)
        }
        kill(batch.process.processIdentifier, SIGINT)
        _ = try await batch.wait()
        #expect(!FileManager.default.fileExists(atPath: output), "the report is written only at the end")
        let journaled = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
        #expect(!journaled.contains(#""student":"zed""#), "zed was still being graded when interrupted")

        // Graded again, alice would now score 0 and zed 11: resumed, alice keeps her grade.
        try FileManager.default.removeItem(atPath: scratch.path + "/class/alice/server.py")
        try FileManager.default.removeItem(atPath: scratch.path + "/class/zed/server.py")
        try scratch.put("good/hello_tcp_server.py", at: "class/zed/server.py")
        let resumed = try await GradeSlots.shared.run { await runCLI(command + ["--resume"]) }
        #expect(resumed.status == 0, "\(resumed.err)")
        let rows = (try String(contentsOfFile: output, encoding: .utf8)).split(separator: "\n").map(String.init)
        #expect(rows.count == 3, "\(rows)")
        // The last three columns are what grading cost, which varies from run to run.
        func scores(_ row: String) -> String {
            row.split(separator: ",", omittingEmptySubsequences: false).dropLast(3).joined(separator: ",")
        }
        #expect(scores(rows[1]) == "alice,2,2,2,3,1,1,11,11,")
        #expect(scores(rows[2]) == "zed,2,2,2,3,1,1,11,11,")

        // A journal is resumed only with the exercise and command it was made with.
        let other = await runCLI(
            command.map { $0 == "python3 {dir}/server.py {port}" ? "python3 {dir}/main.py {port}" : $0 } + ["--resume"])
        #expect(other.status == 1)
        #expect(other.err.contains("is the journal of grading hello-tcp with --cmd 'python3 {dir}/server.py {port}'"))
    }

    @Test(
        "a batch exits 3 when the grader itself cannot grade a submission, and still prints the table",
        .enabled(if: Tools.isInstalled("python3")))
    func graderFailureStatus() async throws {
        let scratch = try Scratch("batch-status")
        defer { scratch.remove() }
        try scratch.put("good/hello_tcp_server.py", at: "class/alice/server.py")
        // No temporary folder can be made for the program: the grader's trouble, not alice's.
        let run = try await runNetlab(
            ["grade", "hello-tcp", "--batch", scratch.path + "/class", "--cmd", "python3 {dir}/server.py {port}"],
            environment: ["TMPDIR": scratch.path + "/no-such-folder"], limit: 20)
        #expect(run.status == 3)
        #expect(run.out.contains("alice    0    0    0    0    0    0    0/11"), "\(run.out)")
        #expect(
            run.out.contains(
                "alice C1: not graded: cannot make a temporary folder for the program — is /tmp full?"),
            "\(run.out)")
        #expect(
            run.err.hasSuffix(
                "netlab grade: could not grade 1 of 1 submissions (alice) — their rows say why; fix it and run the same command with --resume and --output FILE\n"
            ), "\(run.err)")
    }

    @Test("--cmd without {port} is refused; a program without '--' before it gets the line with '--'")
    func usage() async {
        // A folder that is not there: refused before it is looked at, never graded.
        let noPort = await runCLI([
            "grade", "hello-tcp", "--batch", "/nonexistent-netlab-class", "--cmd", "python3 {dir}/server.py",
        ])
        #expect(noPort.status == 64)
        #expect(
            noPort.err
                == "netlab grade: --cmd must give each submission its port with {port}, as in --cmd 'python3 {dir}/server.py {port}'\n"
        )
        let noDashes = await runCLI(["grade", "hello-tcp", "--timeout", "5", "python3", "server.py", "{port}"])
        #expect(noDashes.status == 64)
        #expect(
            noDashes.err
                == "netlab grade: put the program to grade and its arguments after '--', as in: netlab grade hello-tcp --timeout 5 -- python3 server.py {port}\n"
        )
        let programOptions = await runCLI(["grade", "hello-tcp", "python3", "my server.py", "--port", "{port}"])
        #expect(
            programOptions.err
                == "netlab grade: put the program to grade and its arguments after '--', as in: netlab grade hello-tcp -- python3 'my server.py' --port {port}\n"
        )
        let resumeAlone = await runCLI(["grade", "hello-tcp", "--resume", "--", "python3", "server.py", "{port}"])
        #expect(resumeAlone.status == 64)
    }

    @Test(
        "a word naming a file or folder is passed as written, and resolves in the program's private copy",
        .enabled(if: Tools.isInstalled("python3")))
    func wordsAsWritten() async throws {
        let scratch = try Scratch("as-written")
        defer { scratch.remove() }
        try scratch.put("broken/relative_args_hello.py", at: "project/server.py")
        try scratch.folder("project/greetings")
        try "Welcome!\n".write(
            toFile: scratch.path + "/project/greetings/greeting.txt", atomically: true, encoding: .utf8)
        let run = try await GradeSlots.shared.run {
            try await runNetlab(
                ["grade", "hello-tcp", "--", "python3", "server.py", "{port}", "greetings"],
                directory: scratch.path + "/project", limit: 60)
        }
        #expect(run.status == 0, "\(run.out)\(run.err)")
    }

    @Test(
        "a word that leaves the folder with '..' is refused, saying where to run netlab grade from",
        .enabled(if: Tools.isInstalled("python3")))
    func parentPathRefused() async throws {
        let scratch = try Scratch("parent-path")
        defer { scratch.remove() }
        try scratch.put("good/hello_tcp_server.py", at: "project/server.py")
        try scratch.folder("project/sub")
        let run = try await runNetlab(
            ["grade", "hello-tcp", "--", "python3", "../server.py", "{port}"], directory: scratch.path + "/project/sub",
            limit: 20)
        #expect(run.status == 1)
        #expect(
            run.err
                == "netlab: '../server.py' is outside the folder netlab grade runs in, and the program runs in a private copy of that folder, where '..' leads elsewhere — run netlab grade from the folder that holds it (cd there first), or give its full path\n"
        )
    }
}

/// Tells a thread of a test to stop.
private final class StopFlag: Sendable {
    private let flag = Atomic(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
