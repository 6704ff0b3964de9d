import Foundation
import Testing

@testable import NetlabGrader
@testable import NetlabSockets

/// Starts `script` (Python, with the port as its argument) as the program under test on `port`, runs
/// `body`, and ends the program on every path.
private func withProgram(
    _ script: String, port: Int, _ body: (ProgramUnderTest) async throws -> Void
) async throws {
    let program = try ProgramUnderTest(command: ["python3", "-c", script, "{port}"], port: port, transport: .tcp)
    do {
        try await body(program)
    } catch {
        await program.finish()
        throw error
    }
    await program.finish()
}

/// The message of the `CheckFailure` that `start` throws, or nil when it started.
private func startFailure(_ program: ProgramUnderTest, within seconds: Double) async throws -> String? {
    do {
        try await program.start(within: .seconds(seconds))
        return nil
    } catch let failure as CheckFailure {
        return failure.message
    }
}

@Suite(
    "Starting the program under test", .machineShare, .tags(.integration, .slow),
    .enabled(if: Tools.isInstalled("python3")))
struct ProgramStartTests {
    @Test("another process listening on the program's port is not the program starting")
    func foreignListener() async throws {
        // An orphan of an earlier run, say: it listens on the port before the program starts.
        let orphan = try Socket.listening(host: "127.0.0.1", port: 0)
        defer { orphan.close() }
        let port = try orphan.localAddress.port
        try await withProgram("import time; print('thinking', flush=True); time.sleep(30)", port: port) { program in
            let message = try await startFailure(program, within: 1)
            #expect(message?.contains("the program never listened on 127.0.0.1:\(port) (tcp) within 1 s") == true)
            #expect(message?.contains("another process, not the program, listens there") == true, "\(message ?? "")")
            #expect(message?.contains("its last lines: thinking") == true, "\(message ?? "")")
        }
    }

    @Test("a program that binds its port but never calls listen() is told exactly that")
    func boundNeverListened() async throws {
        let port = try PortAllocator.freePort()
        let script = """
            import socket, sys, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[1]))); print('bound', flush=True); time.sleep(30)
            """
        try await withProgram(script, port: port) { program in
            let message = try #require(try await startFailure(program, within: 1.5))
            #expect(
                message.hasPrefix(
                    "the program bound 127.0.0.1:\(port) (tcp) but never called listen() within 1.5 s; call listen() after bind(), then accept()"
                ), "\(message)")
        }
    }

    @Test("a program that never binds is told to bind its port, not that it forgot listen()")
    func neverBound() async throws {
        let port = try PortAllocator.freePort()
        try await withProgram("import time; time.sleep(30)", port: port) { program in
            let message = try #require(try await startFailure(program, within: 1))
            #expect(message.hasPrefix("the program never listened on 127.0.0.1:\(port) (tcp) within 1 s; it must bind"))
        }
    }

    @Test("waiting for a slow program looks at the kernel's table a few times a second, not a hundred")
    func cheapWait() async throws {
        let port = try PortAllocator.freePort()
        let script = """
            import socket, sys, time
            time.sleep(2)
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); print('listening', flush=True); time.sleep(30)
            """
        try await withProgram(script, port: port) { program in
            try await program.start(within: .seconds(10))
            #expect(program.process?.output.contains("listening") == true)
            // Every 10 ms, as it was, would be 200 looks; with growing intervals of at most 100 ms, about 30.
            #expect(program.listenProbes < 40, "\(program.listenProbes) looks at the kernel's table in 2 s")
        }
    }

    @Test("the kernel's socket diagnostics and /proc/net name the same listening sockets")
    func diagnosticsMatchProc() async throws {
        let tcp = try Socket.listening(host: "127.0.0.1", port: 0)
        defer { tcp.close() }
        let udp = try Socket.boundUDP(host: "127.0.0.1", port: 0)
        defer { udp.close() }
        for (socket, transport) in [(tcp, Exercise.Transport.tcp), (udp, .udp)] {
            let port = try socket.localAddress.port
            var probe = ListeningProbe(port: port, transport: transport)
            let fromProc = probe.listeningInodesFromProc()
            #expect(fromProc.count == 1)
            #expect(Socket.listeningInodes(port: port, kind: transport == .tcp ? .tcp : .udp) == fromProc)
        }
        // A connection on a port is not a listener on it.
        let client = try await Socket.connected(host: "127.0.0.1", port: try tcp.localAddress.port)
        defer { client.close() }
        #expect(Socket.listeningInodes(port: try client.localAddress.port, kind: .tcp) == [])
    }
}
