import NetlabCLI
import NetlabSockets
import NetlabTopics
import Testing

/// Runs netlab in process and returns its exit status, stdout and stderr.
func runCLI(_ arguments: [String], input: String = "") async -> (status: Int32, out: String, err: String) {
    let console = Console.capture(input: input)
    let status = await CLI.run(arguments, console: console)
    return (status, console.capturedOut, console.capturedErr)
}

/// Compares two texts line by line, naming the first line that differs.
func expectSameText(_ actual: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
    if actual == expected { return }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(a.count, e.count) {
        let got = index < a.count ? String(a[index]) : "<missing>"
        let want = index < e.count ? String(e[index]) : "<missing>"
        if got != want {
            Issue.record("line \(index + 1) differs:\n  got:  \(got)\n  want: \(want)", sourceLocation: sourceLocation)
            return
        }
    }
}

@Suite("Command line", .machineShare)
struct CLITests {
    @Test("tcp server --help shows usage, options with defaults and an example")
    func serverHelp() async {
        let result = await runCLI(["tcp", "server", "--help"])
        #expect(result.status == 0)
        expectSameText(
            result.out,
            """
            Usage: netlab tcp server [options]

            Serve TCP clients, answering each line they send.

            The first line on stdout says where the server listens; connections and errors are logged on stderr.
            Replies: timestamp is '[ctime] data', echo sends the data back, upper in capitals,
            hello greets with 'Welcome!', answers 'Hello, X!' and closes on 'exit'.

            Options:
              --host HOST   address to listen on; 0.0.0.0 or :: for every interface (default: 127.0.0.1)
              --port PORT   port to listen on; 0 picks a free one (default: 21567)
              --reply MODE  timestamp, echo, upper or hello (default: timestamp)
              --quiet       do not log each connection on stderr
              --unix PATH   a Unix domain socket file to use instead of --host and --port, such as /tmp/netlab.sock
              -h, --help    show this help

            Examples:
              netlab tcp server --port 0 --reply upper
              netlab tcp server --unix /tmp/netlab.sock

            """)
    }

    @Test("a group's --help lists its commands")
    func groupHelp() async {
        let result = await runCLI(["tcp", "--help"])
        #expect(result.status == 0)
        expectSameText(
            result.out,
            """
            Usage: netlab tcp <command> [options]

            TCP server and client: the course's timestamp, echo and hello programs.

            Commands:
              server  Serve TCP clients, answering each line they send.
              client  Send each line of input to a TCP server and print each reply.

            Options:
              -h, --help  show this help

            Example:
              netlab tcp server --port 0 --reply hello

            """)
    }

    @Test("every command answers --help with a usage line, options and an example")
    func helpEverywhere() async {
        var paths: [[String]] = []
        func walk(_ command: Command, _ path: [String]) {
            paths.append(path)
            for sub in command.subcommands { walk(sub, path + [sub.name]) }
        }
        walk(CommandTable.root, [])
        #expect(paths.count > 10)
        for path in paths {
            let result = await runCLI(path + ["--help"])
            #expect(result.status == 0, "\(path)")
            #expect(result.out.hasPrefix("Usage: netlab"), "\(path)")
            #expect(result.out.contains("Options:"), "\(path)")
            #expect(result.out.contains("Example"), "\(path)")
        }
    }

    @Test("--version prints the version")
    func version() async {
        let result = await runCLI(["--version"])
        #expect(result.status == 0)
        #expect(result.out == "netlab \(CLI.version)\n")
    }

    @Test("an unknown command gets one line naming it and the closest command, exit 64")
    func unknownCommand() async {
        let result = await runCLI(["tpc", "server"])
        #expect(result.status == 64)
        #expect(result.out == "")
        #expect(result.err == "netlab: unknown command 'tpc' — did you mean 'tcp'? See 'netlab --help'\n")
    }

    @Test("an unknown option gets one line naming it and the closest option, exit 64")
    func unknownOption() async {
        let result = await runCLI(["udp", "client", "--retry", "3"])
        #expect(result.status == 64)
        #expect(
            result.err
                == "netlab udp client: unknown option '--retry' — did you mean '--retries'? See 'netlab udp client --help'\n"
        )
    }

    @Test(
        "bad option values are usage errors that say what is allowed",
        arguments: [
            (
                ["tcp", "server", "--port", "70000"],
                "netlab tcp server: --port must be a port number from 0 to 65535, not '70000'\n"
            ),
            (
                ["tcp", "server", "--reply", "time"],
                "netlab tcp server: --reply must be one of timestamp, echo, upper or hello, not 'time' — did you mean 'timestamp'?\n"
            ),
            (
                ["tcp", "server", "--reply", "hi"],
                "netlab tcp server: --reply must be one of timestamp, echo, upper or hello, not 'hi' — did you mean 'hello'?\n"
            ),
            (
                ["udp", "client", "--timeout", "-1"],
                "netlab udp client: --timeout must be a number of seconds above 0 and at most 86400 (a day), such as 1 or 0.5, not '-1'\n"
            ),
            (["tcp", "client", "--port"], "netlab tcp client: --port needs a value: --port PORT\n"),
            (["udp"], "netlab udp: missing command — choose one of server or client; see 'netlab udp --help'\n"),
            (["--verison"], "netlab: unknown option '--verison' — did you mean '--version'? See 'netlab --help'\n"),
            (["-v"], "netlab: unknown option '-v' — did you mean '--version'? See 'netlab --help'\n"),
            (
                ["tcp", "server", "--version"],
                "netlab tcp server: --version is netlab's own option: run 'netlab --version'\n"
            ),
            (
                ["--port", "0", "tcp", "server"],
                "netlab: --port goes after the command it belongs to, as in 'netlab tcp server --port ...'\n"
            ),
            (
                ["tcp", "server", "-p", "0"],
                "netlab tcp server: unknown option '-p' — did you mean '--port'? See 'netlab tcp server --help'\n"
            ),
        ])
    func badValues(arguments: [String], message: String) async {
        let result = await runCLI(arguments)
        #expect(result.status == 64)
        #expect(result.err == message)
    }

    @Test("a client with nobody listening gets one sentence and exit 1", .tags(.integration))
    func connectionRefused() async throws {
        // Take a free port and let it go: nothing listens there.
        let port = try closedPort()
        let result = await runCLI(["tcp", "client", "--port", "\(port)"], input: "hello\n")
        #expect(result.status == 1)
        #expect(
            result.err
                == "netlab: nothing is listening on 127.0.0.1:\(port) (ECONNREFUSED) — start the server first, or check --host and --port\n"
        )
    }

    @Test("a server on a port in use gets one sentence and exit 1", .tags(.integration))
    func addressInUse() async throws {
        let holder = try Socket.listening(host: "127.0.0.1", port: 0)
        defer { holder.close() }
        let port = try holder.localAddress.port
        let result = await runCLI(["tcp", "server", "--port", "\(port)"])
        #expect(result.status == 1)
        #expect(
            result.err
                == "netlab: port \(port) is already in use on 127.0.0.1 (EADDRINUSE) — another server is still running; stop it, pick another --port, or pass --port 0 for a free one\n"
        )
    }

    @Test("an unknown host name gets one sentence and exit 1", .tags(.integration))
    func unknownHost() async {
        let result = await runCLI(["tcp", "client", "--host", "no-such-host.invalid", "--port", "9"], input: "x\n")
        #expect(result.status == 1)
        #expect(result.err.hasPrefix("netlab: cannot find host 'no-such-host.invalid' ("))
        #expect(result.err.hasSuffix("— check the spelling, or use an address such as 127.0.0.1\n"))
        #expect(result.err.split(separator: "\n").count == 1)
    }

    @Test("the errors a student meets name the cause and the fix", .tags(.integration))
    func errorSentences() {
        #expect(
            SocketError.privilegedPort(port: 80).description
                == "port 80 is below 1024 and needs root (EACCES) — use a port from 1024 up, such as --port 21567")
        #expect(
            SocketError.connectionReset(peer: "127.0.0.1:5000").description
                == "127.0.0.1:5000 reset the connection (ECONNRESET) — the other program crashed or closed without reading; check its output and try again"
        )
        #expect(
            SocketError.timedOut(operation: "connecting to", peer: "10.0.0.1:80", seconds: 5).description
                == "connecting to 10.0.0.1:80 timed out after 5 s (ETIMEDOUT) — is the server running and reachable? raise --timeout if it is just slow"
        )
        #expect(
            SocketError.hostUnreachable(host: "192.0.2.1", code: 113).description
                == "no route to 192.0.2.1 (EHOSTUNREACH) — check the address and your network connection")
    }
}
