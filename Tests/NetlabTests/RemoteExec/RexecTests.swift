import Foundation
import Glibc
import Testing

@testable import NetlabProcesses
@testable import NetlabSockets
@testable import NetlabTopics

/// A rexec server in process, serving a fresh temporary folder, `jail`, beside a planted `secret.txt`
/// that no request may read.
private struct RexecFixture {
    let server: RexecServer
    let port: Int
    /// The folder holding the served folder and the secret.
    let root: URL
    let folder: URL
    let task: Task<Void, any Error>
    static let secret = "TOPSECRET-" + UUID().uuidString

    init(
        allow: [String] = [], shell: Bool = false, timeout: Duration = .seconds(5), maxOutput: Int = 1 << 20,
        maxCommands: Int = 32
    ) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-rexec-\(UUID().uuidString)")
        folder = root.appendingPathComponent("jail")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: root.appendingPathComponent("secret.txt").path, contents: Data((Self.secret + "\n").utf8))
        let policy = CommandPolicy(
            allowed: Set(CommandPolicy.defaultAllowed + allow), folder: folder.path, usesShell: shell)
        let server = try RexecServer(
            host: "127.0.0.1", port: 0, policy: policy, timeout: timeout, maxOutput: maxOutput,
            maxCommands: maxCommands, console: .capture())
        self.server = server
        port = try server.localAddress.port
        task = Task { try await server.run() }
    }

    /// The secret's absolute path, resolved as the server resolves its folder.
    var secretPath: String { root.resolvingSymlinksInPath().appendingPathComponent("secret.txt").path }

    func write(_ name: String, _ bytes: [UInt8]) {
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data(bytes))
    }

    func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path)
    }

    func stop() {
        task.cancel()
        server.close()
        try? FileManager.default.removeItem(at: root)
    }

    /// Sends one command line and reads its reply frame.
    func ask(_ line: String) async throws -> RexecReply {
        try await ask(bytes: Array((line + "\n").utf8))
    }

    /// Sends raw request bytes and reads one reply frame.
    func ask(bytes: [UInt8]) async throws -> RexecReply {
        try await withTimeout(20) {
            let socket = try await Socket.connected(host: "127.0.0.1", port: port)
            defer { socket.close() }
            try await socket.send(bytes)
            var decoder = FrameDecoder()
            return try await Self.reply(on: socket, decoder: &decoder)
        }
    }

    /// Reads the next reply frame on a connection.
    static func reply(on socket: Socket, decoder: inout FrameDecoder) async throws -> RexecReply {
        let frame = try #require(try await socket.receiveFrame(using: &decoder, timeout: .seconds(15)))
        return try RexecReply(frame: frame)
    }
}

/// Text of a reply's stdout and stderr together.
private func text(_ reply: RexecReply) -> String {
    String(decoding: reply.stdout + reply.stderr, as: UTF8.self)
}

@Suite("Remote commands (rexec)", .machineShare, .tags(.integration))
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
        try await waitUntil(within: 10) {
            fixture.server.console.capturedErr.contains("closed in the middle of a command line; nothing was run")
        }
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

    // MARK: Jail escapes (issue 12)

    @Test(
        "a NUL, ESC, DEL or C1 control character in a request is refused before any check",
        arguments: [
            // argv is C strings: `cat` would get '../secret.txt' alone, while the check saw a path into the jail.
            ("cat ../secret.txt\u{0}/../jail/x", "U+0000 (NUL)"),
            ("echo \u{1B}[2J", "U+001B (ESC)"),
            ("echo a\rb", "U+000D"),
            ("echo \u{7F}", "U+007F"),
            ("echo \u{85}", "U+0085"),
        ])
    func controlCharacters(line: String, named: String) async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        let reply = try await fixture.ask(line)
        #expect(reply.exitStatus == 126)
        #expect(reply.stdout.isEmpty)
        #expect(!text(reply).contains(RexecFixture.secret))
        #expect(text(reply).contains("the command line holds the control character \(named)"), "\(text(reply))")
        let tab = try await fixture.ask("echo a\tb")  // a tab separates words, as a space does
        #expect(tab.stdout == Array("a b\n".utf8))
    }

    @Test(
        "options are read as the program reads them: no bundle, abbreviation or order reaches a file outside",
        arguments: [
            "date -uf{secret}", "date -ur{secret}", "date -f ../secret.txt",
            "date --file=../secret.txt", "date --fi=../secret.txt", "date --file ../secret.txt",
            "date -ur ../secret.txt", "date --ref ../secret.txt", "head -n1 -- ../secret.txt",
            "head ../secret.txt -n 1", "head -n1 notes.txt ../secret.txt", "tail -c+1 ../secret.txt",
            "cat -- ../secret.txt", "cat -n ../secret.txt",
            // A link inside the folder that points to a folder outside: its `..` is outside, not the jail.
            "cat out/../secret.txt", "md5sum -b out/../secret.txt",
        ])
    func optionValuesAndOperands(line: String) async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        fixture.write("notes.txt", Array("notes\n".utf8))
        try FileManager.default.createDirectory(
            at: fixture.root.appendingPathComponent("outside"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: fixture.folder.appendingPathComponent("out").path,
            withDestinationPath: fixture.root.appendingPathComponent("outside").path)
        let reply = try await fixture.ask(line.replacingOccurrences(of: "{secret}", with: fixture.secretPath))
        #expect(reply.exitStatus == 126, "\(text(reply))")
        #expect(reply.stdout.isEmpty)
        #expect(!text(reply).contains(RexecFixture.secret))
        #expect(text(reply).contains("is outside the served folder"), "\(text(reply))")
    }

    @Test(
        "options that follow links or read file names from a file, and unknown options, are refused by name",
        arguments: [
            ("ls -L", "'ls -L' follows symbolic links"),
            ("ls -RL", "'ls -L' follows symbolic links"),
            ("ls --dereference", "'ls --dereference' follows symbolic links"),
            ("ls --deref", "'--deref' could mean --dereference, --dereference-command-line"),
            ("ls -H out", "'ls -H' follows symbolic links"),
            ("ls --dereference-command-line-symlink-to-dir out", "follows symbolic links"),
            ("wc --files0-from=list", "'wc --files0-from' reads file names from a file"),
            ("md5sum -c sums", "'md5sum -c' reads file names from a checksum file"),
            ("md5sum --check sums", "'md5sum --check' reads file names"),
            ("ls --frob", "'ls' has no option '--frob'"),
            ("cat -X notes.txt", "'cat' has no option '-X'"),
            ("date --rfc", "'--rfc' could mean"),
            ("head -n", "'head -n' needs a value"),
            ("date --utc=now", "'date --utc' takes no value"),
        ])
    func refusedOptions(line: String, reason: String) async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        fixture.write("notes.txt", Array("notes\n".utf8))
        fixture.write("list", Array("../secret.txt\u{0}".utf8))
        let digest = try #require(Self.md5(of: Array((RexecFixture.secret + "\n").utf8)))
        fixture.write("sums", Array("\(digest)  ../secret.txt\n".utf8))
        try FileManager.default.createDirectory(
            at: fixture.root.appendingPathComponent("outside"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: fixture.root.appendingPathComponent("outside/hidden-name.txt").path, contents: Data())
        try FileManager.default.createSymbolicLink(
            atPath: fixture.folder.appendingPathComponent("out").path,
            withDestinationPath: fixture.root.appendingPathComponent("outside").path)
        let reply = try await fixture.ask(line)
        #expect(reply.exitStatus == 126, "\(text(reply))")
        #expect(reply.stdout.isEmpty)
        #expect(!text(reply).contains("hidden-name") && !text(reply).contains("secret.txt: OK"))
        #expect(text(reply).contains(reason), "\(text(reply))")
        // `ls -R` alone does not follow the link: it lists the link, not what is behind it.
        let recursive = try await fixture.ask("ls -R")
        #expect(recursive.exitStatus == 0)
        #expect(String(decoding: recursive.stdout, as: UTF8.self).contains("out"))
        #expect(!text(recursive).contains("hidden-name"))
    }

    private static func md5(of bytes: [UInt8]) -> String? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("netlab-md5-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil,
            FileManager.default.createFile(atPath: folder.appendingPathComponent("f").path, contents: Data(bytes)),
            let process = try? ChildProcess(arguments: ["md5sum", "f"], folder: folder.path),
            process.waitUntilFinished(timeout: .seconds(10))
        else { return nil }
        return process.output.split(separator: " ").first.map(String.init)
    }

    @Test("the allowed programs still run with their options in any order")
    func ordinaryOptions() async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        fixture.write("notes.txt", Array("one\ntwo\nthree\n".utf8))
        for (line, output) in [
            ("head notes.txt -n1", "one\n"), ("head -n 1 notes.txt", "one\n"), ("head -2 notes.txt", "one\ntwo\n"),
            ("tail -n1 notes.txt", "three\n"), ("tail -1 notes.txt", "three\n"), ("tail +3 notes.txt", "three\n"),
            ("wc -l notes.txt", "3 notes.txt\n"), ("cat -n -- notes.txt", "     1\tone\n     2\ttwo\n     3\tthree\n"),
            ("date -u -d @0 +%Y", "1970\n"), ("date --utc --date=@0 +%Y", "1970\n"),
            ("date -ud@0 -Idate", "1970-01-01\n"),
            ("date --iso=date -ud @0", "1970-01-01\n"), ("date -u -r notes.txt +%Y", ""),
            ("echo -n /etc/passwd", "/etc/passwd"),
            ("ls --hide=notes.txt", ""), ("ls -I notes.txt -1", ""),
        ] {
            let reply = try await fixture.ask(line)
            #expect(reply.exitStatus == 0, "\(line): \(text(reply))")
            if line.hasPrefix("date -u -r") {
                #expect(reply.stdout.count == 5, "\(line)")
            } else {
                #expect(String(decoding: reply.stdout, as: UTF8.self) == output, "\(line)")
            }
        }
    }

    @Test("a program added with --allow has every tail of a short-option bundle checked as a path")
    func allowedProgramBundles() async throws {
        let fixture = try RexecFixture(allow: ["cp"])
        defer { fixture.stop() }
        fixture.write("notes.txt", Array("notes\n".utf8))
        // cp -t DIR: `-vt..` copies into the parent folder, outside the jail.
        let reply = try await fixture.ask("cp -vt.. notes.txt")
        #expect(reply.exitStatus == 126, "\(text(reply))")
        #expect(text(reply).contains("'..' is outside the served folder"), "\(text(reply))")
        #expect(!FileManager.default.fileExists(atPath: fixture.root.appendingPathComponent("notes.txt").path))
        let inside = try await fixture.ask("cp -v notes.txt copy.txt")
        #expect(inside.exitStatus == 0)
        #expect(fixture.exists("copy.txt"))
    }

    // MARK: Requests end at newlines (issue 12)

    @Test("after a newline-terminated request, a request cut by a pause runs whole, never in pieces")
    func splitRequest() async throws {
        let fixture = try RexecFixture(allow: ["rm"])
        defer { fixture.stop() }
        fixture.write("notes", Array("keep me\n".utf8))
        fixture.write("notes.bak", Array("old\n".utf8))
        try await withTimeout(20) {
            let socket = try await Socket.connected(host: "127.0.0.1", port: fixture.port)
            defer { socket.close() }
            var decoder = FrameDecoder()
            try await socket.send("echo hi\n")
            #expect(try await RexecFixture.reply(on: socket, decoder: &decoder).stdout == Array("hi\n".utf8))
            try await socket.send("rm notes")
            try await waitUntilServerHasRead(serverPort: fixture.port, clientPort: try socket.localAddress.port)
            try await Task.sleep(for: .milliseconds(300))  // ten times the pause that ends a newline-less request
            try await socket.send(".bak\n")
            let reply = try await RexecFixture.reply(on: socket, decoder: &decoder)
            #expect(reply.exitStatus == 0, "\(text(reply))")
        }
        #expect(fixture.exists("notes"))
        #expect(!fixture.exists("notes.bak"))
    }

    @Test(
        "an over-long line is refused at once, its tail is dropped up to its newline, and the next request is answered")
    func overlongTail() async throws {
        let fixture = try RexecFixture(allow: ["touch"])
        defer { fixture.stop() }
        try await withTimeout(20) {
            let socket = try await Socket.connected(host: "127.0.0.1", port: fixture.port)
            defer { socket.close() }
            var decoder = FrameDecoder()
            try await socket.send([UInt8](repeating: UInt8(ascii: "x"), count: RexecServer.maxLineBytes + 100))
            let refusal = try await RexecFixture.reply(on: socket, decoder: &decoder)
            #expect(refusal.exitStatus == 126)
            #expect(text(refusal).contains("longer than 65536 bytes"))
            try await waitUntilServerHasRead(serverPort: fixture.port, clientPort: try socket.localAddress.port)
            try await Task.sleep(for: .milliseconds(300))  // a pause inside the long line ends nothing
            try await socket.send(" touch victim\necho next\n")
            let next = try await RexecFixture.reply(on: socket, decoder: &decoder)
            #expect(next.stdout == Array("next\n".utf8), "\(text(next))")
        }
        #expect(!fixture.exists("victim"))
    }

    // MARK: Limits (issue 12)

    /// The PIDs of processes whose command line is exactly `words`, from the kernel's /proc.
    private static func processes(running words: [String]) -> [Int32] {
        let wanted = Array(words.joined(separator: "\u{0}").utf8) + [0]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), Array(data) == wanted
            else { return nil }
            return pid
        }
    }

    @Test("beyond --max-commands a request is refused at once, with a frame")
    func maxCommands() async throws {
        let fixture = try RexecFixture(allow: ["sleep"], timeout: .seconds(60), maxCommands: 1)
        defer { fixture.stop() }
        try await withTimeout(20) {
            let busy = try await Socket.connected(host: "127.0.0.1", port: fixture.port)
            defer { busy.close() }
            try await busy.send("sleep 30.\(Int.random(in: 100_000...999_999))\n")
            try await waitUntil { fixture.server.runningCommands == 1 }
            let refused = try await fixture.ask("echo hi")
            #expect(refused.exitStatus == 126)
            #expect(text(refused).contains("already running 1 command (its --max-commands)"), "\(text(refused))")
        }
    }

    @Test("a command whose client has gone is killed at once")
    func clientGone() async throws {
        let fixture = try RexecFixture(allow: ["sleep"], timeout: .seconds(60))
        defer { fixture.stop() }
        let command = ["sleep", "40.\(Int.random(in: 100_000...999_999))"]
        try await withTimeout(20) {
            let client = try await Socket.connected(host: "127.0.0.1", port: fixture.port)
            try await client.send(command.joined(separator: " ") + "\n")
            try await waitUntil { Self.processes(running: command).count == 1 }
            client.close()
            // The kernel's process table, not the clock: sleep would run 40 s, the server's timeout is 60 s.
            try await waitUntil(within: 10) { Self.processes(running: command).isEmpty }
            try await waitUntil { fixture.server.runningCommands == 0 }
        }
        #expect(Self.processes(running: command).isEmpty)
    }

    @Test("a client that had closed its sending side before its command started (nc -N) still gets the reply")
    func halfClose() async throws {
        let fixture = try RexecFixture()
        defer { fixture.stop() }
        let (sender, receiver) = try await loopbackPair()
        defer {
            sender.close()
            receiver.close()
        }
        sender.shutdownWrite()
        try await waitUntil { receiver.peerState == .finishedSending }
        let reply = try await withTimeout(20) { await fixture.server.execute("echo hi", for: receiver) }
        #expect(reply.exitStatus == 0, "\(text(reply))")
        #expect(reply.stdout == Array("hi\n".utf8))
    }

    @Test("the client refuses a reply header whose sizes do not match, even ones that would overflow")
    func overflowingHeader() async throws {
        let listener = try Socket.listening(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let port = try listener.localAddress.port
        // A fake server: whatever the request, one frame whose sizes add up past Int.max.
        let fake = Task {
            let client = try await listener.accept()
            defer { client.close() }
            _ = try await client.receive(timeout: .seconds(10))
            let header = #"{"total_size":3,"stdout_size":9223372036854775807,"stderr_size":4,"exit_status":0}"#
            try await client.send(Frame(header: Array(header.utf8), payload: Array("abc".utf8)).bytes)
            _ = try? await client.receive(timeout: .seconds(10))  // until the client leaves
        }
        defer { fake.cancel() }
        let process = try TestProcess.netlab(["rexec", "client", "--port", "\(port)", "--", "ls"])
        defer { process.stop() }
        process.closeInput()
        #expect(try await process.wait(within: 20) == 1)
        #expect(process.stdout.isEmpty)
        let lines = process.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(process.stderr)")
        #expect(process.stderr.contains("stdout_size 9223372036854775807"), "\(process.stderr)")
        #expect(process.stderr.contains("do not match the 3 bytes that came"), "\(process.stderr)")
    }
}
