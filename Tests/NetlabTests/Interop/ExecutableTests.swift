import Foundation
import Testing

/// The built `netlab` executable, run as a user runs it.
@Suite("netlab executable", .machineShare, .tags(.integration))
struct ExecutableTests {
    @Test("tcp server prints where it listens first, logs connections on stderr, and answers")
    func tcpServer() async throws {
        let server = try TestProcess.netlab(["tcp", "server", "--port", "0", "--reply", "upper"])
        defer { server.stop() }
        let line = try await server.firstLine()
        #expect(line.wholeMatch(of: /listening on 127\.0\.0\.1:\d+ \(tcp\)/) != nil, "\(line)")
        let port = try await server.listeningPort()
        try await withTimeout {
            var client = try await LineClient.connect(port: port)
            try await client.send("shout\n")
            #expect(try await client.readLine() == "SHOUT")
            client.close()
        }
        try await waitFor("connected from 127.0.0.1:", in: { server.stderr })
    }

    @Test("a server started with SIGTERM blocked (as Foundation's Process starts it) still stops at once on SIGTERM")
    func stopsOnSIGTERM() async throws {
        let server = try TestProcess.netlab(["tcp", "server", "--port", "0"])
        defer { server.stop() }
        _ = try await server.listeningPort()
        let pid = server.process.processIdentifier
        kill(pid, SIGTERM)
        // Not server.wait(): its own bound would hide a SIGTERM that waits for the SIGKILL of stop().
        let deadline = ContinuousClock.now + .seconds(1)
        while server.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(!server.process.isRunning, "netlab ignored SIGTERM for a second")
    }

    @Test("udp server and netlab udp client talk end to end")
    func udpEndToEnd() async throws {
        let server = try TestProcess.netlab(["udp", "server", "--port", "0", "--reply", "hello"])
        defer { server.stop() }
        let line = try await server.firstLine()
        #expect(line.wholeMatch(of: /listening on 127\.0\.0\.1:\d+ \(udp\)/) != nil, "\(line)")
        let port = try await server.listeningPort()
        let client = try TestProcess.netlab(["udp", "client", "--port", "\(port)"])
        defer { client.stop() }
        client.write("Bob\n")
        client.closeInput()
        #expect(try await client.wait() == 0)
        #expect(client.stdout == "Hello, Bob!\n")
    }

    @Test("daytime server and client agree on a port given with --port")
    func daytime() async throws {
        let server = try TestProcess.netlab(["daytime", "server", "--port", "0"])
        defer { server.stop() }
        let port = try await server.listeningPort()
        for transport in ["udp", "tcp"] {
            let client = try TestProcess.netlab(["daytime", "client", "--port", "\(port)", "--protocol", transport])
            defer { client.stop() }
            #expect(try await client.wait() == 0)
            #expect(
                client.stdout.wholeMatch(of: /\w{3} \w{3} [ 123]\d \d\d:\d\d:\d\d \d{4}\n/) != nil, "\(client.stdout)")
        }
    }

    @Test("a usage error exits 64 with one line and no stack trace")
    func usageExit() async throws {
        let process = try TestProcess.netlab(["tcp", "sever"])
        #expect(try await process.wait() == 64)
        #expect(
            process.stderr == "netlab tcp: unknown command 'sever' — did you mean 'server'? See 'netlab tcp --help'\n")
        #expect(process.stdout == "")
    }

    @Test("the demo shows a conversation over TCP and UDP")
    func demo() async throws {
        let process = try TestProcess.netlab(["demo"])
        #expect(try await process.wait(within: 20) == 0)
        #expect(process.stdout.contains("client  <- Welcome!"))
        #expect(process.stdout.contains("client  <- Hello, Michael!"))
        #expect(process.stdout.contains("(udp)"))
    }
}
