import Foundation
import NetlabKit
import Testing

/// A rexec server in process, serving a fresh temporary folder.
private struct RexecFixture {
    let server: RexecServer
    let port: Int
    let folder: URL
    let task: Task<Void, any Error>

    init(allow: [String] = [], shell: Bool = false, timeout: Duration = .seconds(5), maxOutput: Int = 1 << 20) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-rexec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let policy = CommandPolicy(
            allowed: Set(CommandPolicy.defaultAllowed + allow), folder: folder.path, usesShell: shell)
        let server = try RexecServer(
            host: "127.0.0.1", port: 0, policy: policy, timeout: timeout, maxOutput: maxOutput, console: .capture())
        self.server = server
        port = try server.localAddress.port
        task = Task { try await server.run() }
    }

    func write(_ name: String, _ bytes: [UInt8]) {
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data(bytes))
    }

    func stop() {
        task.cancel()
        server.close()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Sends one command line and reads its reply frame.
    func ask(_ line: String) async throws -> RexecReply {
        try await withTimeout(20) {
            let socket = try await Socket.connected(host: "127.0.0.1", port: port)
            defer { socket.close() }
            try await socket.send(line + "\n")
            var decoder = FrameDecoder()
            let frame = try #require(try await socket.receiveFrame(using: &decoder, timeout: .seconds(15)))
            return try RexecReply(frame: frame)
        }
    }
}

@Suite("Remote commands (rexec)")
struct RexecTests {
    @Test("commands run and reply with stdout, stderr and exit status")
    func roundTrips() async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        fixture.write("empty.txt", [])
        fixture.write("notes.txt", Array("one\ntwo\n".utf8))
        let empty = try await fixture.ask("cat empty.txt")
        #expect(empty == RexecReply(stdout: [], stderr: [], exitStatus: 0))
        let small = try await fixture.ask("wc -l notes.txt")
        #expect(String(decoding: small.stdout, as: UTF8.self) == "2 notes.txt\n")
        let missing = try await fixture.ask("cat missing.txt")
        #expect(missing.exitStatus == 1)
        #expect(String(decoding: missing.stderr, as: UTF8.self).contains("missing.txt"))
        let quoted = try await fixture.ask("echo 'two  spaces' \"and quotes\"")
        #expect(String(decoding: quoted.stdout, as: UTF8.self) == "two  spaces and quotes\n")
    }

    @Test("a multi-MiB output arrives whole")
    func bigOutput() async throws {
        let fixture = try RexecFixture(maxOutput: 8 << 20)
        defer { fixture.stop() }
        let content = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        fixture.write("big.bin", content)
        let reply = try await fixture.ask("cat big.bin")
        #expect(reply.stdout == content)
        #expect(!reply.truncated)
    }

    @Test("output beyond --max-output is cut and the header says so")
    func outputCap() async throws {
        let fixture = try RexecFixture(maxOutput: 1000)
        defer { fixture.stop() }
        fixture.write("big.txt", [UInt8](repeating: 65, count: 5000))
        let reply = try await fixture.ask("cat big.txt")
        #expect(reply.stdout.count == 1000)
        #expect(reply.truncated)
    }

    @Test("a command that runs too long is stopped with status 124")
    func timeout() async throws {
        let fixture = try RexecFixture(allow: ["sleep"], timeout: .milliseconds(300))
        defer { fixture.stop() }
        let reply = try await fixture.ask("sleep 30")  // ask gives up after 20 s: far less than 30
        #expect(reply.exitStatus == 124)
        #expect(reply.timedOut)
        #expect(String(decoding: reply.stderr, as: UTF8.self).contains("ran longer than 0.3 s and was stopped"))
    }

    @Test(
        "refusals come as a frame with a reason and status 126 or 127",
        arguments: [
            ("rm -rf .", 126, "'rm' is not allowed here"),
            ("cat /etc/passwd", 126, "'/etc/passwd' is outside the served folder"),
            ("cat ../../etc/passwd", 126, "is outside the served folder"),
            ("ls ~", 126, "'~' is outside the served folder"),
            ("/bin/ls", 126, "give a command's name, not a path"),
            ("echo 'unclosed", 126, "unclosed quote"),
            // No shell: ';' is no separator, just part of a word.
            ("ls; cat /etc/passwd", 126, "'ls;' is not allowed here"),
            // date reads the clock; setting it (as root, the server could) is refused in every spelling.
            ("date -s '2001-01-01'", 126, "would set the server's clock"),
            ("date --set=2001-01-01", 126, "would set the server's clock"),
            ("date --se 2001-01-01", 126, "would set the server's clock"),
            ("date -us 2001-01-01", 126, "would set the server's clock"),
            ("date 0101000020", 126, "would set the server's clock"),  // MMDDhhmmYY, POSIX's way
            ("date -u -- 0101000020", 126, "would set the server's clock"),
            ("   ", 126, "empty command"),
        ])
    func refusals(line: String, status: Int32, reason: String) async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        let reply = try await fixture.ask(line)
        #expect(reply.exitStatus == status)
        #expect(reply.stdout.isEmpty)
        #expect(
            String(decoding: reply.stderr, as: UTF8.self).contains(reason),
            "\(String(decoding: reply.stderr, as: UTF8.self))")
    }

    @Test("date may still read any date: -d, -u, -R and --date are not setting the clock")
    func dateReads() async throws {
        #expect(!CommandPolicy.setsTheClock("-d"))
        #expect(!CommandPolicy.setsTheClock("-dlast sunday"))
        #expect(!CommandPolicy.setsTheClock("-uR"))
        #expect(!CommandPolicy.setsTheClock("--date=yesterday"))
        #expect(!CommandPolicy.setsTheClock("+%s"))
        #expect(CommandPolicy.clockSetting(in: ["-d", "2001-01-01", "+%Y"]) == nil)
        #expect(CommandPolicy.clockSetting(in: ["--date", "tomorrow", "-u"]) == nil)
        #expect(CommandPolicy.clockSetting(in: ["-u", "0101000020"]) == "0101000020")
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        let reply = try await fixture.ask("date -u -d @0 +%Y")
        #expect(reply.exitStatus == 0)
        #expect(reply.stdout == Array("1970\n".utf8))
    }

    @Test("a path glued to a short option, or a link in the folder that points out, is refused")
    func sneakyPaths() async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        try FileManager.default.createSymbolicLink(
            atPath: fixture.folder.appendingPathComponent("hn").path, withDestinationPath: "/etc/hostname")
        let glued = try await fixture.ask("date -f/etc/hostname")
        #expect(glued.exitStatus == 126)
        #expect(String(decoding: glued.stderr, as: UTF8.self).contains("'/etc/hostname' is outside the served folder"))
        let linked = try await fixture.ask("cat hn")
        #expect(linked.exitStatus == 126)
        #expect(linked.stdout.isEmpty)
    }

    @Test("the timeout also stops what a command left running in the background")
    func backgroundTimeout() async throws {
        let fixture = try RexecFixture(shell: true, timeout: .milliseconds(300))
        defer { fixture.stop() }
        let reply = try await fixture.ask("sleep 30 & echo started")
        #expect(reply.timedOut)
        #expect(reply.exitStatus == 124)
        #expect(String(decoding: reply.stdout, as: UTF8.self) == "started\n")
    }

    @Test("one quoted line after -- goes to a --shell server as it is")
    func oneShotShellLine() async throws {
        let fixture = try RexecFixture(shell: true)
        defer { fixture.stop() }
        let result = await runCLI(["rexec", "client", "--port", "\(fixture.port)", "--", "echo one; echo two"])
        #expect(result.status == 0)
        #expect(result.out == "one\ntwo\n")
    }

    @Test("an allowed name missing from this machine is status 127")
    func notFound() async throws {
        let fixture = try RexecFixture(allow: ["no-such-program-here"])
        defer { fixture.stop() }
        let reply = try await fixture.ask("no-such-program-here")
        #expect(reply.exitStatus == 127)
    }

    @Test("a symbolic link out of the folder does not let a path escape")
    func symlinkEscape() async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        try FileManager.default.createSymbolicLink(
            atPath: fixture.folder.appendingPathComponent("etc").path, withDestinationPath: "/etc")
        let reply = try await fixture.ask("cat etc/passwd")
        #expect(reply.exitStatus == 126)
    }

    @Test("commands get a minimal environment and run in the served folder")
    func environment() async throws {
        let fixture = try RexecFixture(allow: ["env"])
        defer { fixture.stop() }
        let env = String(decoding: try await fixture.ask("env").stdout, as: UTF8.self)
        #expect(
            Set(env.split(separator: "\n").map { String($0.prefix { $0 != "=" }) }) == [
                "PATH", "LANG", "HOME", "PYTHONUNBUFFERED",
            ])
        let pwd = String(decoding: try await fixture.ask("pwd").stdout, as: UTF8.self)
        #expect(pwd == fixture.folder.resolvingSymlinksInPath().path + "\n")
    }

    @Test("bad requests get a reason, and the server keeps serving everyone")
    func badRequests() async throws {
        let fixture = try RexecFixture(allow: ["touch"])
        defer { fixture.stop() }
        try await withTimeout(20) {
            // A 1 MiB command line: refused whole.
            let socket = try await Socket.connected(host: "127.0.0.1", port: fixture.port)
            defer { socket.close() }
            try await socket.send("echo " + String(repeating: "x", count: 1 << 20) + "\n")
            var decoder = FrameDecoder()
            let long = try RexecReply(
                frame: try #require(try await socket.receiveFrame(using: &decoder, timeout: .seconds(10))))
            #expect(long.exitStatus == 126)
            #expect(String(decoding: long.stderr, as: UTF8.self).contains("longer than 65536 bytes"))
            // Non-UTF-8 bytes on the same connection.
            try await socket.send([0x65, 0x63, 0x68, 0x6F, 0x20, 0xFF, 0xFE, 0x0A])
            let binary = try RexecReply(
                frame: try #require(try await socket.receiveFrame(using: &decoder, timeout: .seconds(10))))
            #expect(String(decoding: binary.stderr, as: UTF8.self).contains("not UTF-8"))
            // The connection still works.
            try await socket.send("echo still here\n")
            let after = try RexecReply(
                frame: try #require(try await socket.receiveFrame(using: &decoder, timeout: .seconds(10))))
            #expect(after.stdout == Array("still here\n".utf8))
        }
        // Half a command line, then the connection closes: nothing runs.
        let half = try await Socket.connected(host: "127.0.0.1", port: fixture.port)
        try await half.send("touch half-received")
        half.close()
        try await Task.sleep(for: .milliseconds(300))
        #expect(!FileManager.default.fileExists(atPath: fixture.folder.appendingPathComponent("half-received").path))
        let whole = try await fixture.ask("touch whole")
        #expect(whole.exitStatus == 0)
        #expect(FileManager.default.fileExists(atPath: fixture.folder.appendingPathComponent("whole").path))
    }

    @Test("--shell is refused unless the server listens on loopback")
    func shellOnlyOnLoopback() async {
        let result = await runCLI(["rexec", "server", "--host", "0.0.0.0", "--port", "0", "--shell"])
        #expect(result.status == 64)
        #expect(
            result.err
                == "netlab rexec server: --shell runs whatever a client sends, so it is refused on 0.0.0.0 — use it only with --host 127.0.0.1 or ::1\n"
        )
    }

    @Test("with --shell on loopback the line runs through /bin/sh, as in the seed")
    func shell() async throws {
        let fixture = try RexecFixture(shell: true)
        defer { fixture.stop() }
        let reply = try await fixture.ask("echo one; echo two | wc -l")
        #expect(String(decoding: reply.stdout, as: UTF8.self) == "one\n1\n")
    }

    @Test("netlab rexec client runs one command and exits with its status")
    func client() async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        fixture.write("a.txt", Array("hello\n".utf8))
        let ok = await runCLI(["rexec", "client", "--port", "\(fixture.port)", "--", "cat", "a.txt"])
        #expect(ok.status == 0)
        #expect(ok.out == "hello\n")
        let failed = await runCLI(["rexec", "client", "--port", "\(fixture.port)", "--", "cat", "nope.txt"])
        #expect(failed.status == 1)
        #expect(failed.err.contains("nope.txt"))
        let lines = await runCLI(["rexec", "client", "--port", "\(fixture.port)"], input: "echo a\necho b\n\n")
        #expect(lines.out == "a\nb\n")
    }

    @Test(
        "seed 004's final client, in Python 3 with '!I', talks to netlab rexec server",
        .enabled(if: Tools.isInstalled("python3")))
    func pythonClient() async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        fixture.write("a.txt", Array("from python\n".utf8))
        let script = """
            import socket, struct, json
            phone = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            phone.connect(('127.0.0.1', \(fixture.port)))
            def recv_exact(n):
                data = b''
                while len(data) < n:
                    chunk = phone.recv(n - len(data))
                    if not chunk:
                        raise SystemExit('closed')
                    data += chunk
                return data
            for cmd in ['cat a.txt', 'ls']:
                phone.send(cmd.encode('utf-8'))
                header_size = struct.unpack('!I', recv_exact(4))[0]
                header = json.loads(recv_exact(header_size).decode('utf-8'))
                print(recv_exact(header['total_size']).decode('utf-8'), end='')
            phone.close()
            """
        let process = try TestProcess(Tools.path(of: "python3")!, ["-c", script])
        defer { process.stop() }
        process.closeInput()
        #expect(try await process.wait(within: 20) == 0, "\(process.stderr)")
        #expect(process.stdout == "from python\na.txt\n")
    }
}
