import Foundation
import NetlabSockets
import Testing

/// `netlab chat peer`: two people, half duplex (16-7) and full duplex (16-8), driven through pipes.
@Suite("Chat peer (16-7, 16-8)", .machineShare, .tags(.integration))
struct ChatPeerTests {
    @Test("full duplex: both sides send at any time, and an empty line ends the chat for both")
    func fullDuplex() async throws {
        try await timed {
            let listener = try TestProcess.netlab(["chat", "peer", "--listen", "--port", "0"])
            defer { listener.stop() }
            let port = try await listener.listeningPort()
            let connector = try TestProcess.netlab(["chat", "peer", "--port", "\(port)"])
            defer { connector.stop() }
            try await waitFor("connected to", in: { connector.stderr })
            // The listener speaks first, then twice in a row: no turns in full duplex.
            listener.write("one from the listener\ntwo from the listener\n")
            connector.write("one from the connector\n")
            try await waitFor("two from the listener", in: { connector.stdout })
            try await waitFor("one from the connector", in: { listener.stdout })
            let ended = ContinuousClock.now
            connector.write("\n")
            try await waitFor("left the chat", in: { listener.stderr })
            // Alone this takes milliseconds; the bound leaves room for a 2-core machine running every test at once.
            #expect(ContinuousClock.now - ended < .seconds(2), "the other side is told within a second or two")
            #expect(try await connector.wait(within: 5) == 0)
            #expect(try await listener.wait(within: 5) == 0)
            #expect(connector.stdout == "one from the listener\ntwo from the listener\n")
            #expect(listener.stdout.hasSuffix("(tcp)\none from the connector\n"))
            #expect(listener.stderr.contains("left the chat"), "the other side is told: \(listener.stderr)")
        }
    }

    @Test("quit from a pipe ends a listening side at once, before anyone joins, while stdin stays open")
    func quitBeforeAnyoneJoins() async throws {
        let listener = try TestProcess.netlab(["chat", "peer", "--listen", "--port", "0"])
        defer { listener.stop() }
        _ = try await listener.listeningPort()
        listener.write("quit\n")  // and stdin stays open, as `(printf 'quit\n'; sleep 6) |` keeps it
        #expect(try await listener.wait(within: 5) == 0)
    }

    @Test("quit from a pipe during the other side's turn (half duplex) ends the chat at once for both")
    func quitDuringTheirTurn() async throws {
        let listener = try TestProcess.netlab(["chat", "peer", "--listen", "--half-duplex", "--port", "0"])
        defer { listener.stop() }
        let port = try await listener.listeningPort()
        let connector = try TestProcess.netlab(["chat", "peer", "--half-duplex", "--port", "\(port)"])
        defer { connector.stop() }
        try await waitFor("connected to", in: { listener.stderr })
        listener.write("quit\n")  // the connecting side's turn: quit must not wait for it
        #expect(try await listener.wait(within: 5) == 0)
        try await waitFor("left the chat", in: { connector.stderr })
        #expect(try await connector.wait(within: 5) == 0)
    }

    @Test("half duplex: strict turns, the connecting side first; input waits for its turn")
    func halfDuplex() async throws {
        let listener = try TestProcess.netlab(["chat", "peer", "--listen", "--half-duplex", "--port", "0"])
        defer { listener.stop() }
        let port = try await listener.listeningPort()
        // Typed ahead into a pipe: each reply goes out only after the other side's line came.
        listener.write("reply one\nreply two\n")
        let connector = try TestProcess.netlab(["chat", "peer", "--half-duplex", "--port", "\(port)"])
        defer { connector.stop() }
        try await waitFor("connected to", in: { connector.stderr })
        connector.write("first\n")
        try await waitFor("reply one", in: { connector.stdout })
        connector.write("second\n")
        try await waitFor("reply two", in: { connector.stdout })
        connector.write("quit\n")
        #expect(try await connector.wait(within: 5) == 0)
        #expect(try await listener.wait(within: 5) == 0)
        #expect(listener.stdout.hasSuffix("(tcp)\nfirst\nsecond\n"))
        #expect(connector.stdout == "reply one\nreply two\n")
    }

    @Test("half duplex: the listening side never speaks first, and sends one line per turn")
    func halfDuplexTurnsOnTheWire() async throws {
        // A plain TCP client in the connecting side's place sees exactly what the listener sent, in order.
        // Its last line is a full-duplex greeting, which the listener answers with a refusal: that refusal
        // is queued after everything the listener did with the lines before it, so what comes before it is
        // all the listener ever sent, with no waiting to see whether more comes.
        let listener = try TestProcess.netlab(["chat", "peer", "--listen", "--half-duplex", "--port", "0"])
        defer { listener.stop() }
        let port = try await listener.listeningPort()
        listener.write("reply one\nreply two\n")
        try await withTimeout {
            var client = try await LineClient.connect(port: port)
            defer { client.close() }
            try await waitFor("connected to", in: { listener.stderr })
            try await client.send("first\n* netlab chat peer (full duplex)\n")
            var received: [String] = []
            while let line = try await client.readLine() { received.append(line) }
            #expect(received.count == 2, "one reply for one line, then the refusal: \(received)")
            #expect(received.first == "reply one", "\(received)")
            #expect(received.last?.hasPrefix("* refused: ") == true, "\(received)")
        }
    }

    @Test(
        "a side whose partner is in the other mode is told so and refused",
        arguments: [(listenerHalf: true, connectorHalf: false), (listenerHalf: false, connectorHalf: true)])
    func modeMismatch(listenerHalf: Bool, connectorHalf: Bool) async throws {
        let listener = try TestProcess.netlab(
            ["chat", "peer", "--listen", "--port", "0"] + (listenerHalf ? ["--half-duplex"] : []))
        defer { listener.stop() }
        let port = try await listener.listeningPort()
        let connector = try TestProcess.netlab(
            ["chat", "peer", "--port", "\(port)"] + (connectorHalf ? ["--half-duplex"] : []))
        defer { connector.stop() }
        #expect(try await connector.wait(within: 5) == 1)
        #expect(connector.stderr.contains("--half-duplex"), "\(connector.stderr)")
        try await waitFor("waiting for another partner", in: { listener.stderr })
        #expect(listener.stderr.contains("duplex"))
        // The listening side keeps waiting, and a partner in the right mode then chats.
        let second = try TestProcess.netlab(
            ["chat", "peer", "--port", "\(port)"] + (listenerHalf ? ["--half-duplex"] : []))
        defer { second.stop() }
        second.write("hello again\n")
        second.closeInput()  // in half duplex, the end of input waits for this side's turn, as a line would
        try await waitFor("hello again", in: { listener.stdout })
        if listenerHalf {
            listener.write("welcome back\n")
            try await waitFor("welcome back", in: { second.stdout })
        }
        #expect(try await second.wait(within: 5) == 0)
        #expect(try await listener.wait(within: 5) == 0)
    }

    @Test("a third person is told the listening side is busy")
    func busy() async throws {
        let listener = try TestProcess.netlab(["chat", "peer", "--listen", "--port", "0"])
        defer { listener.stop() }
        let port = try await listener.listeningPort()
        let first = try TestProcess.netlab(["chat", "peer", "--port", "\(port)"])
        defer { first.stop() }
        try await waitFor("connected to", in: { listener.stderr })
        let third = try TestProcess.netlab(["chat", "peer", "--port", "\(port)"])
        defer { third.stop() }
        #expect(try await third.wait(within: 5) == 1)
        #expect(third.stderr.contains("busy"), "\(third.stderr)")
        first.write("still here\n")
        try await waitFor("still here", in: { listener.stdout })
    }

    @Test(
        "seed 16-7's client, ported to Python 3, takes turns with netlab's listening side",
        .enabled(if: Tools.isInstalled("python3")))
    func seedHalfDuplexClient() async throws {
        let listener = try TestProcess.netlab(["chat", "peer", "--listen", "--half-duplex", "--port", "0"])
        defer { listener.stop() }
        let port = try await listener.listeningPort()
        listener.write("pong 1\npong 2\n")
        // The seed's client sends what was typed, with no newline, then prints one recv() as the reply.
        let script = """
            from socket import *
            tcpCliSock = socket(AF_INET, SOCK_STREAM)
            tcpCliSock.connect(('127.0.0.1', \(port)))
            for data in ['ping 1', 'ping 2']:
                tcpCliSock.send(data.encode())
                print('server>', tcpCliSock.recv(1024).decode().strip(), flush=True)
            tcpCliSock.close()
            """
        let python = try TestProcess(Tools.path(of: "python3")!, ["-c", script])
        defer { python.stop() }
        #expect(try await python.wait(within: 10) == 0, "\(python.stderr)")
        #expect(python.stdout == "server> pong 1\nserver> pong 2\n")
        #expect(try await listener.wait(within: 5) == 0)
        #expect(listener.stdout.hasSuffix("(tcp)\nping 1\nping 2\n"))
    }

    @Test(
        "netlab's connecting side takes turns with seed 16-7's server, ported to Python 3",
        .enabled(if: Tools.isInstalled("python3")))
    func seedHalfDuplexServer() async throws {
        let script = """
            from socket import *
            tcpServSock = socket(AF_INET, SOCK_STREAM)
            tcpServSock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
            tcpServSock.bind(('127.0.0.1', 0))
            tcpServSock.listen(5)
            print(tcpServSock.getsockname()[1], flush=True)
            tcpCliSock, addr = tcpServSock.accept()
            for data in ['pong 1', 'pong 2']:
                print('client>', tcpCliSock.recv(1024).decode().strip(), flush=True)
                tcpCliSock.send(data.encode())
            tcpCliSock.close()
            """
        let python = try TestProcess(Tools.path(of: "python3")!, ["-c", script])
        defer { python.stop() }
        guard let port = Int(try await python.firstLine()) else { throw TestTimeout(seconds: 0) }
        let connector = try TestProcess.netlab(["chat", "peer", "--half-duplex", "--port", "\(port)"])
        defer { connector.stop() }
        connector.write("ping 1\nping 2\n")
        #expect(try await python.wait(within: 10) == 0, "\(python.stderr)")
        #expect(python.stdout.hasSuffix("client> ping 1\nclient> ping 2\n"))
        #expect(try await connector.wait(within: 5) == 0)
        #expect(connector.stdout == "pong 1\npong 2\n")
        #expect(connector.stderr.contains("left the chat"))
    }

    @Test("connecting to nothing is one sentence and status 1")
    func nothingListening() async throws {
        let port = try closedPort()
        let connector = try TestProcess.netlab(["chat", "peer", "--port", "\(port)"])
        defer { connector.stop() }
        #expect(try await connector.wait(within: 10) == 1)
        #expect(connector.stderr.contains("ECONNREFUSED"))
        #expect(connector.stderr.split(separator: "\n").count == 1)
    }

    @Test(
        "--udp: each line is one datagram, the listener answers the first sender, and a datagram with a newline inside stays one message"
    )
    func udpPeers() async throws {
        let listener = try TestProcess.netlab(["chat", "peer", "--listen", "--udp", "--port", "0"])
        defer { listener.stop() }
        let port = try await listener.listeningPort()
        listener.write("too early\n")
        try await waitFor("nobody to send to yet", in: { listener.stderr })
        let connector = try TestProcess.netlab(["chat", "peer", "--udp", "--port", "\(port)"])
        defer { connector.stop() }
        connector.write("hello\n")
        try await waitFor("hello", in: { listener.stdout })
        listener.write("hi back\n")
        try await waitFor("hi back", in: { connector.stdout })
        // Someone else's datagram is shown with its sender, and its newline escaped: one datagram, one line.
        let other = try Socket(.udp, family: .ipv4)
        defer { other.close() }
        try await other.send(
            Array("a\nb".utf8), to: Socket.resolve(host: "127.0.0.1", port: port, kind: .udp, passive: false)[0])
        try await waitFor(#"a\nb"#, in: { listener.stdout })
        #expect(listener.stdout.contains("127.0.0.1:\(try other.localAddress.port): a\\nb"), "\(listener.stdout)")
        connector.write("quit\n")
        #expect(try await connector.wait(within: 5) == 0)
        listener.closeInput()
        #expect(try await listener.wait(within: 5) == 0)
        #expect(!listener.stdout.contains("too early") && !connector.stdout.contains("too early"))
    }

    @Test("--udp talks to seed 003's own UDP chat server")
    func udpSeedServer() async throws {
        guard Tools.isInstalled("python3") else { return }
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let script = tests.appendingPathComponent("Fixtures/seeds/udp_chat_server.py").path
        let server = try TestProcess(Tools.path(of: "python3")!, [script, "0"])
        defer { server.stop() }
        let port = try await server.listeningPort()
        let peer = try TestProcess.netlab(["chat", "peer", "--udp", "--port", "\(port)"])
        defer { peer.stop() }
        peer.write("你好\n")
        // The seed prints the (bytes, address) pair recvfrom returns: the datagram as sent, UTF-8, no newline.
        try await waitFor(#"(b'\xe4\xbd\xa0\xe5\xa5\xbd', ('127.0.0.1', "#, in: { server.stdout })
        server.write("welcome\n")
        try await waitFor("welcome", in: { peer.stdout })
        peer.closeInput()
        #expect(try await peer.wait(within: 5) == 0)
    }
}
