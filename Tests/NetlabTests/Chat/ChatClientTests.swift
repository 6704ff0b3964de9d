import Foundation
import Testing

/// `netlab chat client` against netlab's chat server: plain lines through pipes, and a person at a
/// terminal through tmux.
@Suite("Chat client", .machineShare, .tags(.integration))
struct ChatClientTests {
    @Test("rooms: lines go to the room, replies are printed as they come, and quit exits 0")
    func rooms() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        var bob = try await chat.join("bob lobby")
        #expect(try await bob.readLine() == "success")
        let alice = try TestProcess.netlab(chat.clientArguments(user: "alice", room: "lobby"))
        defer { alice.stop() }
        #expect(try await bob.readLine()?.hasSuffix("] alice joined the room") == true)
        alice.write("hello bob\n")
        #expect(try await bob.readLine()?.hasSuffix("] alice: hello bob") == true)
        try await bob.send("hi alice\n")
        try await waitFor("] bob: hi alice\n", in: { alice.stdout })
        alice.write("/who\n")
        try await waitFor("* in lobby: alice, bob\n", in: { alice.stdout })
        alice.write("quit\n")
        #expect(try await alice.wait(within: 5) == 0)
        #expect(try await bob.readLine()?.hasSuffix("] alice left the room") == true)
        #expect(!alice.stdout.contains("quit"), "the server's goodbye is not shown as a message")
        bob.close()
    }

    @Test("the end of input leaves as quit does")
    func endOfInput() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        var bob = try await chat.join("bob lobby")
        #expect(try await bob.readLine() == "success")
        let alice = try TestProcess.netlab(chat.clientArguments(user: "alice", room: "lobby"))
        defer { alice.stop() }
        alice.write("bye\n")
        alice.closeInput()
        #expect(try await alice.wait(within: 5) == 0)
        var lines: [String] = []
        while let line = try await bob.readLine() {
            lines.append(line)
            if line.hasSuffix("left the room") { break }
        }
        #expect(
            lines.map { $0.split(separator: "] ").last ?? "" } == [
                "alice joined the room", "alice: bye", "alice left the room",
            ])
        bob.close()
    }

    @Test("a refused login (reuse, a taken nickname) is one sentence and status 1")
    func refusedLogins() async throws {
        let rooms = try ChatFixture(.rooms)
        defer { rooms.stop() }
        var bob = try await rooms.join("bob lobby")
        #expect(try await bob.readLine() == "success")
        let second = try TestProcess.netlab(rooms.clientArguments(user: "bob", room: "lobby"))
        defer { second.stop() }
        // A bound for a loaded machine, not a timing claim; on a timeout the server's log says how far it got.
        let secondStatus = try? await second.wait(within: 20)
        #expect(secondStatus == 1, "server log: \(rooms.console.capturedErr)")
        #expect(
            second.stderr.contains("the name bob, or one that looks like it, is already taken in room lobby"),
            "\(second.stderr)")

        let direct = try ChatFixture(.direct)
        defer { direct.stop() }
        let carol = try await direct.join("carol")
        // The direct protocol answers nothing on success: wait until the server has carol, or the client
        // below may log in first and be the one that is refused.
        try await waitFor("carol joined", in: { direct.console.capturedErr })
        let taken = try TestProcess.netlab(direct.clientArguments(nick: "carol"))
        defer { taken.stop() }
        let takenStatus = try? await taken.wait(within: 20)
        #expect(takenStatus == 1, "server log: \(direct.console.capturedErr)")
        #expect(taken.stderr.contains("the server refused the nickname carol"), "\(taken.stderr)")
        #expect(taken.stderr.split(separator: "\n").count == 1, "\(taken.stderr)")
        bob.close()
        carol.close()
    }

    @Test("direct: NAME:message reaches one person, all:message everyone, and a line without a name is not sent")
    func direct() async throws {
        let chat = try ChatFixture(.direct)
        defer { chat.stop() }
        var carol = try await chat.join("carol")
        try await waitFor("carol joined", in: { chat.console.capturedErr })  // it answers nothing on success
        let dan = try TestProcess.netlab(chat.clientArguments(nick: "dan"))
        defer { dan.stop() }
        try await waitFor("dan joined", in: { chat.console.capturedErr })
        dan.write("no name here\ncarol:hi carol\n")
        #expect(try await carol.readLine() == "dan:hi carol")
        try await waitFor("that line was not sent", in: { dan.stderr })
        try await carol.send("dan:hello dan")
        try await waitFor("carol:hello dan\n", in: { dan.stdout })
        dan.write("zed:anyone?\n")
        try await waitFor("zed is not connected", in: { dan.stdout })
        dan.write("quit\n")
        #expect(try await dan.wait(within: 5) == 0)
        carol.close()
    }

    @Test(
        "a person at a terminal: messages appear above the line being typed, names are coloured, quit leaves",
        .enabled(if: Tools.isInstalled("tmux")))
    func interactive() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        var bob = try await chat.join("bob lobby")
        #expect(try await bob.readLine() == "success")
        let terminal = try TmuxSession(chat.clientArguments(user: "alice", room: "lobby"))
        defer { terminal.stop() }
        try await terminal.waitFor("alice>")
        #expect(try await bob.readLine()?.hasSuffix("] alice joined the room") == true)
        // Alice is halfway through a line when Bob's message arrives.
        try terminal.type("half a sen", enter: false)
        try await terminal.waitFor("alice> half a sen")
        try await bob.send("hello alice\n")
        let screen = try await terminal.waitFor("bob: hello alice")
        let lines = screen.split(separator: "\n").map(String.init)
        #expect(lines.last == "alice> half a sen", "the line being typed stays whole, below the message:\n\(screen)")
        #expect(lines.dropLast().last?.hasSuffix("] bob: hello alice") == true, "\(screen)")
        #expect(try terminal.screen(withColors: true).contains("\u{1B}["), "names are coloured on a terminal")
        try terminal.type("tence")
        #expect(try await bob.readLine()?.hasSuffix("] alice: half a sentence") == true)
        try terminal.type("quit")
        try await terminal.waitFor("exit status 0")
        bob.close()
    }

    @Test("Ctrl-C at a terminal leaves cleanly, and NO_COLOR turns colour off", .enabled(if: Tools.isInstalled("tmux")))
    func interruptAndNoColor() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        var bob = try await chat.join("bob lobby")
        #expect(try await bob.readLine() == "success")
        let terminal = try TmuxSession(
            chat.clientArguments(user: "alice", room: "lobby"),
            environment: ["NO_COLOR": "1"])
        defer { terminal.stop() }
        try await terminal.waitFor("alice>")
        try await bob.send("plain please\n")
        try await terminal.waitFor("bob: plain please")
        #expect(!(try terminal.screen(withColors: true).contains("\u{1B}[3")), "no colour with NO_COLOR")
        try terminal.press("C-c")
        try await terminal.waitFor("exit status 0")
        let left = try await readUntil(&bob) { $0.hasSuffix("left the room") }
        #expect(left.hasSuffix("] alice left the room"), "\(left)")
        bob.close()
    }

    @Test("an unreachable server and a half-given login are one sentence each")
    func badInvocations() async throws {
        let port = try closedPort()
        let unreachable = try TestProcess.netlab(["chat", "client", "--nick", "x", "--port", "\(port)"])
        defer { unreachable.stop() }
        #expect(try await unreachable.wait(within: 10) == 1)
        #expect(unreachable.stderr.contains("ECONNREFUSED"))
        let noRoom = try TestProcess.netlab(["chat", "client", "--user", "x", "--port", "\(port)"])
        defer { noRoom.stop() }
        #expect(try await noRoom.wait(within: 10) == 64)
        #expect(noRoom.stderr.contains("--user needs --room"))
    }
}
