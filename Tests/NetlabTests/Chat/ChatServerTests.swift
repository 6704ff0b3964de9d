import Foundation
import NetlabSockets
import Testing

/// A chat server in process on a free port.
@Suite("Chat server, rooms protocol (16-9/10)", .machineShare, .tags(.integration))
struct ChatRoomsTests {
    @Test("login answers success or reuse; lines go to the others in the room as [ctime] user: text")
    func rooms() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        try await withTimeout(15) {
            var alice = try await chat.join("alice lobby")
            #expect(try await alice.readLine() == "success")
            var bob = try await chat.join("bob lobby")
            #expect(try await bob.readLine() == "success")
            let joined = try #require(try await alice.readLine())
            #expect(joined.wholeMatch(of: try Regex(timestampPrefix + "bob joined the room")) != nil, "\(joined)")
            var again = try await chat.join("alice lobby")
            #expect(try await again.readLine() == "reuse")
            #expect(try await again.readLine() == nil)
            var eve = try await chat.join("eve kitchen")
            #expect(try await eve.readLine() == "success")

            try await bob.send("hello, lobby\n")
            let heard = try #require(try await alice.readLine())
            #expect(heard.wholeMatch(of: try Regex(timestampPrefix + "bob: hello, lobby")) != nil, "\(heard)")
            // Never back to the sender, never to another room: the next thing each sees is what comes next.
            try await alice.send("/who\n")
            #expect(try await alice.readLine() == "* in lobby: alice, bob")
            try await eve.send("/rooms\n")
            #expect(try await eve.readLine() == "* rooms: kitchen (1), lobby (2)")
            try await bob.send("/msg eve psst\n")
            let whisper = try #require(try await eve.readLine())
            #expect(whisper.hasSuffix("] bob@lobby (private): psst"))
            #expect(try await bob.readLine() == "* to eve@kitchen: psst")

            try await alice.send("quit\n")
            #expect(try await alice.readLine() == "quit")
            #expect(try await alice.readLine() == nil)
            let left = try #require(try await bob.readLine())
            #expect(left.wholeMatch(of: try Regex(timestampPrefix + "alice left the room")) != nil, "\(left)")
            for client in [alice, bob, again, eve] { client.close() }
        }
    }

    @Test("/join moves a member to another room: the old room is told it left, the new one that it joined")
    func joinAnotherRoom() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        try await withTimeout {
            var carol = try await chat.join("carol r1")
            #expect(try await carol.readLine() == "success")
            var bob = try await chat.join("bob r2")
            #expect(try await bob.readLine() == "success")
            var alice = try await chat.join("alice r1")
            #expect(try await alice.readLine() == "success")
            #expect(try await carol.readLine()?.hasSuffix("] alice joined the room") == true)
            var otherAlice = try await chat.join("alice r3")
            #expect(try await otherAlice.readLine() == "success")

            try await alice.send("/join r3\n")
            #expect(
                try await alice.readLine()
                    == "error: someone named alice, or a look-alike, is already in room r3; choose another room")
            try await alice.send("/join r2\n")
            #expect(try await alice.readLine() == "* you are now in room r2")
            #expect(try await carol.readLine()?.hasSuffix("] alice left the room") == true)
            #expect(try await bob.readLine()?.hasSuffix("] alice joined the room") == true)
            try await alice.send("hi bob\n")
            #expect(try await bob.readLine()?.hasSuffix("] alice: hi bob") == true)
            try await carol.send("/who\n")
            #expect(
                try await carol.readLine() == "* in r1: carol",
                "alice's line went to r2 only, and carol's room is r1 alone")
            try await alice.send("/who\n")
            #expect(try await alice.readLine() == "* in r2: alice, bob")
            for client in [alice, bob, carol, otherAlice] { client.close() }
        }
    }

    @Test(
        "seed 16-9/10's client, ported to Python 3, logs in, chats and quits",
        .enabled(if: Tools.isInstalled("python3")))
    func pythonClients() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        let script = """
            from socket import *
            import time
            def login(username, room):
                s = socket(AF_INET, SOCK_STREAM)
                s.settimeout(5)
                s.connect(('127.0.0.1', \(chat.port)))
                s.send(('%s %s' % (username, room)).encode())
                # cc.py compares exactly: data == 'success'. It sent no line end, so none comes back.
                print(username, repr(s.recv(1024).decode()))
                return s
            a = login('alice', 'r1')
            b = login('bob', 'r1')
            print('alice', a.recv(1024).decode().strip().split('] ')[1])
            b.send('hi'.encode())
            print('alice', a.recv(1024).decode().strip().split('] ')[1])
            a.send('quit'.encode())
            print('alice', repr(a.recv(1024).decode()))
            print('bob', b.recv(1024).decode().strip().split('] ')[1])
            """
        let process = try TestProcess(Tools.path(of: "python3")!, ["-c", script])
        defer { process.stop() }
        process.closeInput()
        #expect(try await process.wait(within: 20) == 0, "\(process.stderr)")
        #expect(
            process.stdout
                == "alice 'success'\nbob 'success'\nalice bob joined the room\nalice bob: hi\nalice 'quit'\nbob alice left the room\n"
        )
    }

    @Test("nc is a chat client too", .enabled(if: Tools.hasOpenBSDNetcat))
    func netcat() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        let nc = try TestProcess(Tools.path(of: "nc")!, ["127.0.0.1", "\(chat.port)"])
        defer { nc.stop() }
        try await withTimeout {
            var listener = try await chat.join("carol den")
            defer { listener.close() }
            #expect(try await listener.readLine() == "success")
            nc.write("dave den\nfrom nc\n")
            _ = try await readUntil(&listener) { $0.hasSuffix("dave joined the room") }
            let line = try await readUntil(&listener) { $0.contains("dave:") }
            #expect(line.hasSuffix("] dave: from nc"))
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while !nc.stdout.hasPrefix("success\n"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(nc.stdout.hasPrefix("success\n"))
    }

    @Test(
        "bad logins get a clear error and a close, and the server keeps serving",
        arguments: [
            ("alice", "error: log in with 'username room', two words, such as 'alice lobby'"),
            ("", "error: log in with 'username room', two words, such as 'alice lobby'"),
            ("al\u{7}ice room", "error: a name cannot hold spaces, symbols, or invisible or control characters; "),
            (String(repeating: "n", count: 40) + " room", "error: that name is too long; a name is 1 to 32 letters"),
            ("server room", "error: that name is reserved or looks like a reserved one; "),
            ("error room", "error: that name is reserved or looks like a reserved one; "),
            ("alice ro:om", "error: a room cannot hold spaces, symbols, or invisible or control characters; "),
        ])
    func badLogins(login: String, error: String) async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        try await withTimeout {
            var client = try await chat.join(login)
            let reply = try #require(try await client.readLine())
            #expect(reply.hasPrefix(error), "\(reply)")
            #expect(try await client.readLine() == nil)
            var good = try await chat.join("ok room")
            #expect(try await good.readLine() == "success")
            good.close()
        }
    }

    @Test("a 1 MiB login or non-UTF-8 bytes get an error, and nothing is relayed")
    func hostileBytes() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        try await withTimeout {
            var big = try await chat.join(String(repeating: "x", count: 1 << 20))
            let reply = try #require(try await big.readLine())
            #expect(reply.hasPrefix("error: the login line must be text (UTF-8 or GBK) of at most"))
            var alice = try await chat.join("alice room")
            #expect(try await alice.readLine() == "success")
            var bob = try await chat.join("bob room")
            #expect(try await bob.readLine() == "success")
            _ = try await alice.readLine()  // bob joined
            try await bob.socket.send([0xFF, 0xFE, 0x0A])
            #expect(try await bob.readLine() == "error: messages must be UTF-8 or GBK text; that one was not sent")
            try await bob.send(String(repeating: "y", count: 5000) + "\n")
            #expect(try await bob.readLine() == "error: a line is at most 4096 bytes; that one was not sent")
            try await bob.send("still here\n")
            let line = try #require(try await alice.readLine())
            #expect(line.hasSuffix("] bob: still here"), "alice must get only the good line: \(line)")
            for client in [big, alice, bob] { client.close() }
        }
    }

    @Test("half a line from a client that vanishes is never relayed")
    func vanishMidLine() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        try await withTimeout {
            var alice = try await chat.join("alice room")
            #expect(try await alice.readLine() == "success")
            let ghost = try await chat.join("ghost room")
            _ = try await alice.readLine()  // ghost joined
            try await ghost.socket.send("half a li")
            ghost.close()
            let next = try #require(try await alice.readLine())
            #expect(next.hasSuffix("] ghost left the room"), "\(next)")
            alice.close()
        }
    }

    @Test("a client that never logs in is closed after the login timeout")
    func loginTimeout() async throws {
        let chat = try ChatFixture(.rooms, loginTimeout: .milliseconds(300))
        defer { chat.stop() }
        try await withTimeout {
            var silent = try await LineClient.connect(port: chat.port)
            #expect(try await silent.readLine() == nil)
        }
    }
}

@Suite("Chat server, direct protocol (seed 003)", .machineShare, .tags(.integration))
struct ChatDirectTests {
    @Test("to:message reaches one user, all:message everyone else, as from:message")
    func direct() async throws {
        let chat = try ChatFixture(.direct)
        defer { chat.stop() }
        try await withTimeout {
            var alice = try await chat.join("alice")
            var bob = try await chat.join("bob")
            var carol = try await chat.join("carol")
            // The direct protocol answers nothing to a login: each is registered once the server logs it.
            for name in ["alice", "bob", "carol"] {
                try await waitFor("\(name) joined", in: { chat.console.capturedErr })
            }
            try await alice.send("bob:hi bob\n")
            #expect(try await bob.readLine() == "alice:hi bob")
            try await bob.send("all:hello everyone\n")
            #expect(try await alice.readLine() == "bob:hello everyone")
            #expect(try await carol.readLine() == "bob:hello everyone")
            try await carol.send("dave:are you there?\n")
            #expect(try await carol.readLine() == "error:dave is not connected, so the message was not sent")
            try await carol.send("no colon here\n")
            #expect(try await carol.readLine() == "error:write to:message, or all:message for everyone")
            chat.server.announce("class ends in 5 minutes")
            #expect(try await alice.readLine() == "server:class ends in 5 minutes")
            #expect(try await carol.readLine() == "server:class ends in 5 minutes")
            var taken = try await chat.join("alice")
            #expect(
                try await taken.readLine()
                    == "error: the nickname alice, or one that looks like it, is taken; choose another")
            #expect(try await taken.readLine() == nil)
            for client in [alice, bob, carol, taken] { client.close() }
        }
    }

    @Test(
        "seed 003's client, ported to Python 3, splits every line it gets on ':'",
        .enabled(if: Tools.isInstalled("python3")))
    func pythonClient() async throws {
        let chat = try ChatFixture(.direct)
        defer { chat.stop() }
        let script = """
            from socket import *
            import time
            def connect(name):
                c = socket(AF_INET, SOCK_STREAM)
                c.settimeout(10)
                c.connect(('127.0.0.1', \(chat.port)))
                # The seed's client sends the name alone and then waits for a person to type; a script
                # types at once, so it ends the name with a newline rather than rely on the pause.
                c.send((name + '\\n').encode('utf8'))
                return c
            def ready(c, name):
                # Message yourself until it comes back: then the server has you registered.
                while True:
                    c.send((name + ':ready').encode('gbk'))
                    if c.recv(1024).decode('gbk').startswith(name + ':ready'):
                        return
                    time.sleep(0.05)
            a = connect('alice'); b = connect('bob')
            ready(a, 'alice'); ready(b, 'bob')
            a.send(('bob' + ':' + 'hi from alice').encode('gbk'))
            result = b.recv(1024).decode('gbk').split(':')
            print(result[0], '发来', result[1].strip())
            b.send(('nobody' + ':' + 'anyone?').encode('gbk'))
            result = b.recv(1024).decode('gbk').split(':')
            print(result[0], '发来', result[1].strip())
            """
        let process = try TestProcess(Tools.path(of: "python3")!, ["-c", script])
        defer { process.stop() }
        process.closeInput()
        #expect(try await process.wait(within: 20) == 0, "\(process.stderr)")
        #expect(
            process.stdout == "alice 发来 hi from alice\nerror 发来 nobody is not connected, so the message was not sent\n")
    }

    @Test("lines typed on netlab chat server's standard input reach everyone as notices (seed 003's tsend)")
    func operatorNotices() async throws {
        for chatProtocol in ["rooms", "direct"] {
            let server = try TestProcess.netlab(["chat", "server", "--port", "0", "--protocol", chatProtocol])
            defer { server.stop() }
            let port = try await server.listeningPort()
            try await withTimeout {
                var client = try await LineClient.connect(port: port)
                try await client.send(chatProtocol == "rooms" ? "alice lobby\n" : "alice\n")
                if chatProtocol == "rooms" { #expect(try await client.readLine() == "success") }
                // Registered once the server has logged the join.
                try await waitFor("alice joined", in: { server.stderr })
                server.write("class ends in 5 minutes\n")
                let notice = try #require(try await client.readLine())
                if chatProtocol == "rooms" {
                    #expect(
                        notice.wholeMatch(of: try Regex(timestampPrefix + "server: class ends in 5 minutes")) != nil)
                } else {
                    #expect(notice == "server:class ends in 5 minutes")
                }
                client.close()
            }
        }
    }
}
