import Foundation
import Testing

/// netlab against programs nobody here wrote: Python 3 ports of the seeds' programs, nc and socat.
@Suite("Interoperation with real peers", .machineShare, .tags(.integration, .slow))
struct PeerTests {
    /// Runs a program to completion with `input` on stdin, returning stdout, bounded in time.
    private func run(_ program: String, _ arguments: [String], input: String = "") async throws -> (
        Int32, String, String
    ) {
        let process = try TestProcess(Tools.path(of: program)!, arguments)
        defer { process.stop() }
        process.write(input)
        process.closeInput()
        let status = try await process.wait(within: 20)
        return (status, process.stdout, process.stderr)
    }

    @Test(
        "seed 000's TCP client, ported to Python 3, talks to netlab tcp server",
        .enabled(if: Tools.isInstalled("python3")))
    func pythonTimestampClient() async throws {
        let server = try RunningServer.tcp(.timestamp)
        defer { server.stop() }
        // tsTclnt.py: send what was typed (no newline), print what recv(1024) returns.
        let script = """
            from socket import *
            tcpCliSock = socket(AF_INET, SOCK_STREAM)
            tcpCliSock.connect(('127.0.0.1', \(server.port)))
            for data in ['hello', 'how are you']:
                tcpCliSock.send(data.encode())
                data = tcpCliSock.recv(1024)
                if not data:
                    break
                print(data.decode())
            tcpCliSock.close()
            """
        let (status, out, err) = try await run("python3", ["-c", script])
        #expect(status == 0, "\(err)")
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(out)")
        #expect(lines.first?.wholeMatch(of: try Regex(timestampPrefix + "hello")) != nil, "\(out)")
        #expect(lines.last?.wholeMatch(of: try Regex(timestampPrefix + "how are you")) != nil, "\(out)")
    }

    @Test(
        "seed 002's hello client, ported to Python 3, gets Welcome!, its Hellos, and a close on exit",
        .enabled(if: Tools.isInstalled("python3")))
    func pythonHelloClient() async throws {
        let server = try RunningServer.tcp(.hello)
        defer { server.stop() }
        let script = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.connect(('127.0.0.1', \(server.port)))
            print(s.recv(1024).decode('utf-8').strip())
            for data in [b'Michael', b'Tracy', b'Sarah']:
                s.send(data)
                print(s.recv(1024).decode('utf-8'))
            s.send(b'exit')
            print('closed' if s.recv(1024) == b'' else 'still open')
            s.close()
            """
        let (status, out, err) = try await run("python3", ["-c", script])
        #expect(status == 0, "\(err)")
        #expect(out == "Welcome!\nHello, Michael!\nHello, Tracy!\nHello, Sarah!\nclosed\n")
    }

    @Test(
        "seed 002's UDP client, ported to Python 3, gets Hello, X! from netlab udp server",
        .enabled(if: Tools.isInstalled("python3")))
    func pythonUDPClient() async throws {
        let server = try RunningServer.udp(.hello)
        defer { server.stop() }
        let script = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(5)
            for data in [b'Michael', b'Tracy', b'Sarah']:
                s.sendto(data, ('127.0.0.1', \(server.port)))
                print(s.recv(1024).decode('utf-8'))
            s.close()
            """
        let (status, out, err) = try await run("python3", ["-c", script])
        #expect(status == 0, "\(err)")
        #expect(out == "Hello, Michael!\nHello, Tracy!\nHello, Sarah!\n")
    }

    @Test(
        "netlab tcp client talks to seed 000's timestamp server, ported to Python 3",
        .enabled(if: Tools.isInstalled("python3")))
    func clientAgainstPythonServer() async throws {
        // tsTserv.py with port 0 and its port printed first; it answers each recv with '[ctime] data'.
        let script = """
            from socket import *
            from time import ctime
            import sys
            tcpSerSock = socket(AF_INET, SOCK_STREAM)
            tcpSerSock.bind(('127.0.0.1', 0))
            tcpSerSock.listen(5)
            print(tcpSerSock.getsockname()[1], flush=True)
            tcpCliSock, addr = tcpSerSock.accept()
            while True:
                data = tcpCliSock.recv(1024)
                if not data:
                    break
                tcpCliSock.send(('[%s] %s' % (ctime(), data.decode())).encode())
            tcpCliSock.close()
            tcpSerSock.close()
            """
        let server = try TestProcess(Tools.path(of: "python3")!, ["-c", script])
        defer { server.stop() }
        let port = try #require(Int(try await server.firstLine()))
        let result = await runCLI(["tcp", "client", "--port", "\(port)"], input: "hello\nsecond line\n")
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(result.out)")
        #expect(lines.first?.wholeMatch(of: try Regex(timestampPrefix + "hello")) != nil)
        #expect(lines.last?.wholeMatch(of: try Regex(timestampPrefix + "second line")) != nil)
    }

    @Test(
        "netlab tcp client talks to seed 002's hello server, which compares what recv returns with 'exit'",
        .enabled(if: Tools.isInstalled("python3")))
    func clientAgainstSeedHelloServer() async throws {
        // The seed's server answers 'Hello, %s!' % data: a line end sent with the name would land
        // before the '!', and 'exit\n' would not be 'exit'. So the client sends lines as typed.
        let script = """
            import socket
            s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(5)
            print(s.getsockname()[1], flush=True)
            for _ in range(2):
                c, _ = s.accept()
                c.send(b'Welcome!')
                while True:
                    data = c.recv(1024)
                    if not data or data.decode() == 'exit':
                        break
                    c.send(('Hello, %s!' % data.decode()).encode())
                c.close()
            """
        let server = try TestProcess(Tools.path(of: "python3")!, ["-c", script])
        defer { server.stop() }
        let port = try #require(Int(try await server.firstLine()))
        let result = await runCLI(["tcp", "client", "--port", "\(port)"], input: "Bob\nAlice\nexit\nnot sent\n")
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == "Welcome!\nHello, Bob!\nHello, Alice!\n")
        #expect(result.err == "the server closed the connection\n")
        // With --eol lf the line end goes too, and the seed's server answers around it.
        let withLineEnds = await runCLI(["tcp", "client", "--port", "\(port)", "--eol", "lf"], input: "Bob\n")
        #expect(withLineEnds.out == "Welcome!\nHello, Bob\n!\n")
    }

    @Test("nc talks to netlab tcp server line by line", .enabled(if: Tools.hasOpenBSDNetcat))
    func netcatTCP() async throws {
        let server = try RunningServer.tcp(.timestamp)
        defer { server.stop() }
        let (status, out, _) = try await run("nc", ["-N", "127.0.0.1", "\(server.port)"], input: "hello\nworld\n")
        #expect(status == 0)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(out)")
        #expect(lines.first?.wholeMatch(of: try Regex(timestampPrefix + "hello")) != nil, "\(out)")
        #expect(lines.last?.wholeMatch(of: try Regex(timestampPrefix + "world")) != nil, "\(out)")
    }

    @Test("nc -u talks to netlab udp server", .enabled(if: Tools.hasOpenBSDNetcat))
    func netcatUDP() async throws {
        let server = try RunningServer.udp(.upper)
        defer { server.stop() }
        // nc -u cannot know when a reply is complete: keep it running until the reply shows, then stop it.
        let nc = try TestProcess(Tools.path(of: "nc")!, ["-u", "127.0.0.1", "\(server.port)"])
        defer { nc.stop() }
        nc.write("quiet please\n")
        let deadline = ContinuousClock.now + .seconds(10)
        while !nc.stdout.hasSuffix("\n"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(nc.stdout == "QUIET PLEASE\n")
    }

    @Test("socat talks to netlab tcp server", .enabled(if: Tools.isInstalled("socat")))
    func socat() async throws {
        let server = try RunningServer.tcp(.echo)
        defer { server.stop() }
        let (status, out, _) = try await run(
            "socat", ["-t", "20", "-", "TCP:127.0.0.1:\(server.port)"], input: "ping\npong\n")
        #expect(status == 0)
        #expect(out == "ping\npong\n")
    }
}
