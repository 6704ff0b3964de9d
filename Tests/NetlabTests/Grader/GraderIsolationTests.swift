import Foundation
import Glibc
import Testing

@testable import NetlabGrader

/// The hostile fixture and the exercises, found from this file's path.
private enum Hostile {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let root = tests.deletingLastPathComponent().deletingLastPathComponent()
    static let script = tests.appendingPathComponent("Fixtures/hostile/escape.py").path
    static let hello = tests.appendingPathComponent("Fixtures/good/hello_tcp_server.py").path
    static let library = ExerciseLibrary(folder: root.appendingPathComponent("exercises"))

    /// A folder of the test's own under the temporary folder, readable by every user.
    static func makeFolder(_ prefix: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        chmod(folder.path, 0o755)
        return folder
    }

    /// A copy of the hostile script under a unique name, so its processes can be told from any other test's.
    static func uniqueCopy(in folder: URL) throws -> String {
        let copy = folder.appendingPathComponent("escape_\(UUID().uuidString.prefix(8)).py").path
        try FileManager.default.copyItem(atPath: script, toPath: copy)
        return copy
    }

    /// Grades the hostile script in `mode` in process, as the other grader tests do.
    static func grade(_ exercise: String, _ arguments: [String], script: String = script) async throws -> GradeReport {
        try await GradeSlots.shared.run {
            try await Grader(
                exercise: try library.exercise(exercise), command: ["python3", script] + arguments,
                totalTimeout: .seconds(30)
            ).grade()
        }
    }
}

/// Whether this test runs as root; prints why a root-only test is skipped when not.
private func runsAsRoot(_ test: String) -> Bool {
    if geteuid() == 0 { return true }
    print("skipping: '\(test)' needs root (the grader switches the program to a user of its own only as root)")
    return false
}

/// Whether `pid` is a live (not zombie) process whose command line contains `text`.
private func isAlive(_ pid: Int32, running text: String) -> Bool {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    if stat.contains(") Z ") { return false }
    return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
}

/// The PIDs of the processes whose real user is `uid`.
private func processes(ofUser uid: uid_t) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { Int32($0) }.filter { pid in
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        let lines = status.split(separator: "\n")
        if lines.contains(where: { $0.hasPrefix("State:") && $0.contains("Z (zombie)") }) { return false }
        let line = lines.first { $0.hasPrefix("Uid:") }
        let ids = line?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first
        return ids.flatMap { uid_t($0) } == uid
    }
}

/// The values of a report's `key value` lines, as the hostile script prints them.
private func value(_ key: String, in lines: [String]) -> String? {
    lines.first { $0.hasPrefix(key + " ") }.map { String($0.dropFirst(key.count + 1)) }
}

@Suite("Grader isolation", .machineShare, .tags(.integration, .slow))
struct GraderIsolationTests {
    @Test(
        "a program that detaches (setsid, then a double fork) does not outlive its grading",
        .enabled(if: Tools.isInstalled("python3")))
    func detachedGrandchild() async throws {
        let report = try await Hostile.grade("hello-tcp", ["detach", "{port}"])
        let line = value("grandchild", in: report.programOutput)
        let pid = try #require(line.flatMap { Int32($0) }, "no grandchild PID in \(report.programOutput)")
        // Only ends the fixture's own grandchild, should the grader have failed to.
        defer { if isAlive(pid, running: "escape.py") { kill(pid, SIGKILL) } }
        #expect(!isAlive(pid, running: "escape.py"), "the detached grandchild \(pid) outlived its grading")
    }

    @Test(
        "the program has no controlling terminal: it cannot write a false score to the grader's",
        .enabled(if: Tools.isInstalled("python3")))
    func noTerminal() async throws {
        let folder = try Hostile.makeFolder("netlab-tty")
        defer { try? FileManager.default.removeItem(at: folder) }
        let reportFile = folder.appendingPathComponent("report.json").path
        // Runs netlab with a pseudo-terminal as its controlling terminal, as in an instructor's shell,
        // and prints everything that reached the terminal.
        let onTerminal = """
            import os, pty, select, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.close(os.open('/dev/tty', os.O_RDWR))  # netlab itself does have a terminal
                os.execv(sys.argv[1], sys.argv[1:])
            output, deadline = b'', time.time() + 60
            while time.time() < deadline:
                if select.select([fd], [], [], 0.2)[0]:
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError:
                        chunk = b''
                    if not chunk:
                        break
                    output += chunk
            sys.stdout.write(output.decode('utf-8', 'replace'))
            sys.stdout.flush()
            sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
            """
        let grader = try TestProcess(
            "/usr/bin/env",
            [
                "python3", "-c", onTerminal, Tools.netlab.path, "grade", "hello-tcp", "--format", "json", "--output",
                reportFile, "--", "python3", Hostile.script, "detach", "{port}",
            ])
        defer { grader.stop() }
        grader.closeInput()
        #expect(try await grader.wait(within: 90) == 1, "\(grader.stdout) \(grader.stderr)")
        #expect(!grader.stdout.contains("PWNED"), "the program wrote to the grader's terminal: \(grader.stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportFile)))
        let output = (json as? [String: Any])?["program_output"] as? [String] ?? []
        #expect(value("tty:", in: output)?.hasPrefix("denied") == true, "\(output)")
        if let pid = value("grandchild", in: output).flatMap({ Int32($0) }), isAlive(pid, running: "escape.py") {
            kill(pid, SIGKILL)
        }
    }

    @Test(
        "the program sees an allow-listed environment and a private folder as its home, none of netlab's variables",
        .enabled(if: Tools.isInstalled("python3")))
    func environment() async throws {
        let allowed: Set<String> = [
            "PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED",
            "NETLAB_HOST", "NETLAB_PORT", "TERM",
        ]
        let ours = ProcessInfo.processInfo.environment
        let foreign = try #require(
            ours.keys.sorted().first { !allowed.contains($0) }, "the test runner has no variable to leak")
        let report = try await Hostile.grade("hello-tcp", ["env", "{port}"])
        let lines = report.programOutput
        // A pyenv shim standing for python3 adds its own variables before the program starts.
        let names = Set((value("env", in: lines) ?? "").split(separator: " ").map(String.init))
            .filter { !$0.hasPrefix("PYENV") && !$0.hasPrefix("_PYENV") }
        #expect(names.contains("NETLAB_PORT"), "\(lines)")
        #expect(!names.contains(foreign), "netlab's \(foreign) leaked into the program's environment")
        #expect(names.isSubset(of: allowed), "not allowed: \(names.subtracting(allowed).sorted())")
        let folder = try #require(value("cwd", in: lines), "\(lines)")
        #expect(folder.contains("netlab-grade-"), "\(folder)")
        #expect(value("home", in: lines) == folder)
        #expect(value("home", in: lines) != ours["HOME"])
        #expect(value("tmpdir", in: lines)?.hasPrefix(folder + "/") == true, "\(lines)")
        let limits = value("limits", in: lines) ?? ""
        #expect(limits.contains("AS=2147483648 FSIZE=67108864 CPU=60 NOFILE=256"), "\(limits)")
        if geteuid() == 0 {
            let user = try #require(value("user", in: lines), "\(lines)").split(separator: " ")
            #expect(user.count == 5 && user[0] != "0", "the program ran as root: \(user)")
            #expect(user.count == 5 && user[2] == user[0] && user[4] == "700", "its folder: \(user)")
            #expect(limits.hasPrefix("NPROC=128 "), "\(limits)")
        }
    }

    @Test(
        "in a batch, a submission that rewrites another's file changes nothing of the other's grade",
        .enabled(if: Tools.isInstalled("python3")))
    func submissionsAreApart() async throws {
        let folder = try Hostile.makeFolder("netlab-class")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bob = folder.appendingPathComponent("bob/server.py").path
        let checks = Hostile.library.folder.appendingPathComponent("hello-tcp/checks.json").path
        let isRoot = geteuid() == 0
        // As root the program runs as a user of its own that sees neither the class's folder nor the exercises.
        let rootOnly = """
            attempt('bob absolute', lambda: overwrite(\(bob.debugDescription)))
            attempt('checks', lambda: open(\(checks.debugDescription)).read())
            attempt('list bob', lambda: os.listdir(\(folder.appendingPathComponent("bob").path.debugDescription)))
            """
        let alice = """
            import os, sys
            here = os.path.dirname(os.path.abspath(__file__))
            results = []
            def attempt(name, action):
                try:
                    action()
                    results.append(name + ': done')
                except OSError:
                    results.append(name + ': denied')
            def overwrite(path):
                with open(path, 'w') as f:
                    f.write('import sys\\nsys.exit(3)\\n')
            attempt('bob relative', lambda: overwrite(os.path.join(here, '..', 'bob', 'server.py')))
            \(isRoot ? rootOnly : "")
            print('; '.join(results), flush=True)
            """
        for name in ["alice", "bob"] {
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent(name), withIntermediateDirectories: true)
            chmod(folder.appendingPathComponent(name).path, 0o755)
        }
        try alice.write(to: folder.appendingPathComponent("alice/server.py"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Hostile.hello, toPath: bob)
        let original = try String(contentsOfFile: bob, encoding: .utf8)
        // One at a time, alice first: her program runs before bob's is copied.
        let result = await runCLI([
            "grade", "hello-tcp", "--batch", folder.path, "--cmd", "python3 {dir}/server.py {port}", "--jobs", "1",
            "--format", "json",
        ])
        let rows = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: Any]] ?? []
        let reports = Dictionary(
            uniqueKeysWithValues: rows.compactMap { row in
                (row["student"] as? String).map { ($0, row["report"] as? [String: Any] ?? [:]) }
            })
        #expect(reports["bob"]?["score"] as? Int == 11, "\(result.out) \(result.err)")
        let said = (reports["alice"]?["program_output"] as? [String] ?? []).joined(separator: " ")
        #expect(said.contains("bob relative: denied"), "\(said)")
        if isRoot {
            #expect(try String(contentsOfFile: bob, encoding: .utf8) == original, "alice rewrote bob's server.py")
            #expect(said.contains("bob absolute: denied"), "\(said)")
            #expect(said.contains("checks: denied"), "\(said)")
            #expect(said.contains("list bob: denied"), "\(said)")
        }
    }

    @Test(
        "a fork bomb is stopped by its process limit, and its grade ends at the time limit with every process ended",
        .enabled(if: Tools.isInstalled("python3")))
    func forkBomb() async throws {
        try await timed {
            let folder = try Hostile.makeFolder("netlab-bomb")
            defer { try? FileManager.default.removeItem(at: folder) }
            let script = try Hostile.uniqueCopy(in: folder)
            defer { for pid in processes(matching: script) { kill(pid, SIGKILL) } }
            // The built netlab, as an instructor runs it: in this process the grade would share its threads
            // with every other test running at once, and the time measured would be theirs too.
            let started = ContinuousClock.now
            let grader = try TestProcess.netlab([
                "grade", "hello-tcp", "--timeout", "5", "--max-procs", "16", "--format", "json", "--",
                "python3", script, "forkbomb", "{port}", "200",
            ])
            defer { grader.stop() }
            let status = try await grader.wait(within: 30)
            let elapsed = ContinuousClock.now - started
            let result = (status: status, out: grader.stdout, err: grader.stderr)
            #expect(result.status == 1, "\(result.err)")
            #expect(elapsed < .seconds(5 + 3), "the grade took \(elapsed) with --timeout 5")
            let json = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any] ?? [:]
            #expect(json["score"] as? Int == 0, "\(result.out)")
            let output = json["program_output"] as? [String] ?? []
            let forked = value("forked", in: output) ?? ""
            let count = Int(forked.prefix { $0.isNumber }) ?? .max
            #expect(count < 16 && forked.contains("Resource temporarily unavailable"), "\(output)")
            #expect(processes(matching: script).isEmpty, "the bomb's processes outlived the grade")
        }
    }

    @Test(
        "a fork bomb that uses up the grader's own process limit still ends at the time limit",
        .enabled(
            if: Tools.isInstalled("python3") && runsAsRoot("a fork bomb that uses up the grader's own process limit")))
    func forkBombStarvesTheGrader() async throws {
        try await timed {
            let folder = try Hostile.makeFolder("netlab-starve")
            defer { try? FileManager.default.removeItem(at: folder) }
            let script = try Hostile.uniqueCopy(in: folder)
            // An unprivileged user of the test's own, so that netlab and the bomb share one process limit.
            let uid = uid_t(63_000 + Int.random(in: 0..<900))
            defer {
                // Only the bomb's own processes, should the grader have failed to end them; some may fork meanwhile.
                for _ in 0..<20 where !processes(ofUser: uid).isEmpty {
                    for pid in processes(ofUser: uid) { kill(pid, SIGKILL) }
                    usleep(50_000)
                }
            }
            let asUser = """
                import os, resource, sys
                resource.setrlimit(resource.RLIMIT_NPROC, (60, 60))
                os.setgroups([])
                os.setgid(\(uid))
                os.setuid(\(uid))
                os.execve(sys.argv[1], sys.argv[1:], {'PATH': '/usr/bin:/bin', 'HOME': '/tmp', 'NO_COLOR': '1'})
                """
            let python = try #require(
                ["/usr/bin/python3", "/usr/local/bin/python3"].first {
                    FileManager.default.isExecutableFile(atPath: $0)
                })
            let started = ContinuousClock.now
            let grader = try TestProcess(
                python,
                [
                    "-c", asUser, Tools.netlab.path, "grade", "hello-tcp", "--timeout", "6", "--", python, script,
                    "forkbomb", "{port}", "1000",
                ])
            defer { grader.stop() }
            grader.closeInput()
            let status = try await grader.wait(within: 30)
            let elapsed = ContinuousClock.now - started
            #expect(status == 1, "\(grader.stdout) \(grader.stderr)")
            #expect(elapsed < .seconds(6 + 4), "the grade took \(elapsed) with --timeout 6")
            #expect(grader.stdout.contains("score 0/11"), "\(grader.stdout) \(grader.stderr)")
            #expect(!grader.stderr.contains("Fatal error"), "\(grader.stderr)")
            #expect(processes(ofUser: uid).isEmpty, "processes of the bomb's user outlived the grade")
        }
    }
}
