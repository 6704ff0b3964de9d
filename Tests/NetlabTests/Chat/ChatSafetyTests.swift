import Foundation
import Testing

@testable import NetlabSockets
@testable import NetlabTopics

/// Issue 12: names that look like others, control characters in messages, `/msg` to the right user,
/// and connections that vanish or never log in.
@Suite("Chat server: identity and relay safety", .machineShare, .tags(.integration))
struct ChatSafetyTests {
    /// Logins that imitate `server` or an existing `bob`, each refused while `bob` is in the lobby.
    static let lookAlikes: [(name: String, reply: String)] = [
        ("Server", "error: that name is reserved or looks like a reserved one;"),
        ("SERVER", "error: that name is reserved or looks like a reserved one;"),
        ("\u{0455}erver", "error: a name cannot mix scripts (such as Latin and Cyrillic);"),  // Cyrillic ѕ
        ("\u{0430}\u{04CF}\u{04CF}", "error: that name is reserved or looks like a reserved one;"),  // Cyrillic аӏӏ
        ("bob\u{200B}", "error: a name cannot hold spaces, symbols, or invisible or control characters;"),
        ("bo\u{202E}b", "error: a name cannot hold spaces, symbols, or invisible or control characters;"),
        ("bob\u{00A0}", "error: a name cannot hold spaces, symbols, or invisible or control characters;"),
        ("bob\u{2028}", "error: a name cannot hold spaces, symbols, or invisible or control characters;"),
        ("\u{FF42}\u{FF4F}\u{FF42}", "reuse"),  // fullwidth ｂｏｂ
        ("Bob", "reuse"),
        ("\u{0412}\u{041E}\u{0412}", "reuse"),  // Cyrillic ВОВ
        ("b0b", "reuse"),
    ]

    @Test("rooms: a name that imitates a reserved or taken one is refused, in every form", arguments: lookAlikes)
    func roomsLookAlikes(name: String, reply: String) async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        try await withTimeout {
            var bob = try await chat.join("bob lobby")
            #expect(try await bob.readLine() == "success")
            var impostor = try await chat.join("\(name) lobby")
            let answer = try #require(try await impostor.readLine())
            #expect(answer.hasPrefix(reply), "\(answer)")
            if answer.hasPrefix("error") { #expect(answer.contains("a name is 1 to 32 letters, digits")) }
            #expect(try await impostor.readLine() == nil)
            for client in [bob, impostor] { client.close() }
        }
    }

    @Test("direct: a nickname that imitates a reserved or taken one is refused", arguments: lookAlikes)
    func directLookAlikes(name: String, reply: String) async throws {
        let chat = try ChatFixture(.direct)
        defer { chat.stop() }
        try await withTimeout {
            var bob = try await chat.join("bob")
            try await waitFor("bob joined", in: { chat.console.capturedErr })
            var impostor = try await chat.join(name)
            let answer = try #require(try await impostor.readLine())
            if reply == "reuse" {
                #expect(answer.hasSuffix(", or one that looks like it, is taken; choose another"), "\(answer)")
            } else {
                #expect(answer.hasPrefix(reply), "\(answer)")
            }
            #expect(try await impostor.readLine() == nil)
            // bob still has the name: a message to him arrives.
            let carol = try await chat.join("carol")
            try await waitFor("carol joined", in: { chat.console.capturedErr })
            try await carol.send("BOB:still you?\n")
            #expect(try await bob.readLine() == "carol:still you?")
            for client in [bob, impostor, carol] { client.close() }
        }
    }

    @Test("room names follow the name rule and are compared without case or width")
    func roomNames() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        try await withTimeout {
            var alice = try await chat.join("alice Lobby")
            #expect(try await alice.readLine() == "success")
            var bob = try await chat.join("bob \u{FF4C}obby")  // fullwidth ｌ
            #expect(try await bob.readLine() == "success")
            _ = try await alice.readLine()  // bob joined
            try await alice.send("/who\n")
            #expect(try await alice.readLine() == "* in lobby: alice, bob")
            var hidden = try await chat.join("carol lobby\u{200B}")
            #expect(try await hidden.readLine()?.hasPrefix("error: a room cannot hold spaces") == true)
            try await alice.send("/join l\u{043E}bby\n")  // Cyrillic о among Latin letters
            #expect(try await alice.readLine()?.hasPrefix("error: a room cannot mix scripts") == true)
            for client in [alice, bob, hidden] { client.close() }
        }
    }

    @Test("names in Chinese, Japanese, Korean, Cyrillic and Greek are welcome")
    func scripts() throws {
        for name in ["小明", "小明Li", "王_2", "さくら", "カタカナー", "한국어", "Иван", "Σοφία", "José", "a.b-c_d"] {
            #expect(throws: Never.self, "\(name)") { try ChatName(name, kind: .user) }
        }
        for name in ["小明ѕ", "Ωmega", "a b", "a:b", "a@b", "#1", String(repeating: "x", count: 33), ""] {
            #expect(throws: ChatNameError.self, "\(name)") { try ChatName(name, kind: .user) }
        }
        #expect(try ChatName("Ｂｏｂ", kind: .user).text == "Bob")
        #expect(try ChatName("Ｂｏｂ", kind: .user).key == "bob")
        #expect(try ChatName("straße", kind: .user).key == ChatName.key(of: "STRASSE"))
    }

    @Test("a carriage return, an escape sequence or a line separator reaches a raw client as '?'")
    func controlCharacters() async throws {
        let forged = "hi\rserver: you are banned\u{1B}[2J\u{7F}\u{9B}\u{202E}\u{2028}\u{2029}end\tok"
        let cleaned = "hi?server: you are banned?[2J?????end\tok"
        for chatProtocol in [ChatServer.ChatProtocol.rooms, .direct] {
            let chat = try ChatFixture(chatProtocol)
            defer { chat.stop() }
            try await withTimeout {
                let rooms = chatProtocol == .rooms
                var alice = try await chat.join(rooms ? "alice den" : "alice")
                // alice in first, so that she, not bob, is told of the other's join.
                if rooms { #expect(try await alice.readLine() == "success") }
                var bob = try await chat.join(rooms ? "bob den" : "bob")
                if rooms {
                    #expect(try await bob.readLine() == "success")
                    _ = try await alice.readLine()  // bob joined
                } else {
                    try await waitFor("bob joined", in: { chat.console.capturedErr })
                }
                try await alice.send((rooms ? "" : "bob:") + forged + "\n")
                let line = try #require(try await bob.readLine())
                #expect(line.hasSuffix(rooms ? "] alice: \(cleaned)" : "alice:\(cleaned)"), "\(line.debugDescription)")
                // Bytes that are neither UTF-8 (an overlong '\r') nor GBK (0xFF) are refused, not relayed.
                try await alice.socket.send([0x78, 0xC0, 0x8D, 0xFF, 0x79, 0x0A])
                let refusal = try #require(try await alice.readLine())
                #expect(refusal == "error: messages must be UTF-8 or GBK text; that one was not sent")
                chat.server.announce("closing\r\u{1B}[31msoon")
                let notice = try #require(try await bob.readLine())
                #expect(
                    notice.hasSuffix(rooms ? "] server: closing??[31msoon" : "server:closing??[31msoon"), "\(notice)")
                for client in [alice, bob] { client.close() }
            }
        }
    }

    @Test("/msg bob goes to the bob in the sender's room, never to an impostor in another room")
    func privateMessages() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        try await withTimeout(30) {
            // Before, the first bob found in a dictionary of rooms got it: about half the time the impostor.
            for round in 0..<12 {
                var alice = try await chat.join("alice home\(round)")
                #expect(try await alice.readLine() == "success")
                var impostor = try await chat.join("bob away\(round)")
                #expect(try await impostor.readLine() == "success")
                var bob = try await chat.join("bob home\(round)")
                #expect(try await bob.readLine() == "success")
                #expect(try await alice.readLine()?.hasSuffix("] bob joined the room") == true)
                try await alice.send("/msg bob secret \(round)\n")
                #expect(try await alice.readLine() == "* to bob@home\(round): secret \(round)")
                chat.server.announce("mark \(round)")
                let toBob = try await linesUntil("mark \(round)", from: &bob)
                #expect(toBob.contains { $0.hasSuffix("] alice@home\(round) (private): secret \(round)") }, "\(toBob)")
                let toImpostor = try await linesUntil("mark \(round)", from: &impostor)
                #expect(!toImpostor.contains { $0.contains("secret") }, "round \(round): \(toImpostor)")
                for client in [alice, bob, impostor] { client.close() }
            }
            // From a third room, a bob in each of two rooms is a question, not a guess.
            var bob = try await chat.join("bob lobby")
            #expect(try await bob.readLine() == "success")
            var impostor = try await chat.join("bob kitchen")
            #expect(try await impostor.readLine() == "success")
            var carol = try await chat.join("carol hall")
            #expect(try await carol.readLine() == "success")
            try await carol.send("/msg bob hello\n")
            #expect(
                try await carol.readLine() == "error: there is a bob in rooms kitchen, lobby; write /msg bob@ROOM text")
            try await carol.send("/msg Bob@Lobby hello\n")
            #expect(try await carol.readLine() == "* to bob@lobby: hello")
            #expect(try await bob.readLine()?.hasSuffix("] carol@hall (private): hello") == true)
            try await impostor.send("/msg carol hi\n")  // the only carol: found wherever she is
            #expect(try await carol.readLine()?.hasSuffix("] bob@kitchen (private): hi") == true)
            for client in [bob, impostor, carol] { client.close() }
        }
    }

    @Test("a chat server's connections use TCP keepalive, so a vanished client frees its name")
    func keepAlive() async throws {
        let chat = try ChatFixture(.rooms)
        defer { chat.stop() }
        let listener = try Socket.listening(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        try await withTimeout {
            async let accepted = listener.accept()
            var client = try await LineClient.connect(port: try listener.localAddress.port)
            let connection = try await accepted
            let serving = Task { await chat.server.converse(with: connection) }
            try await client.send("alice lobby\n")
            #expect(try await client.readLine() == "success")
            let settings = try #require(try connection.keepAlive(), "SO_KEEPALIVE is off")
            #expect(settings.idle == .seconds(60))
            #expect(settings.interval == .seconds(10))
            #expect(settings.count == 3)
            client.close()
            await serving.value
        }
    }

    @Test("netlab chat server --login-timeout closes a connection that never logs in, and logs it")
    func loginTimeoutOption() async throws {
        let server = try TestProcess.netlab(["chat", "server", "--port", "0", "--login-timeout", "0.3"])
        defer { server.stop() }
        let port = try await server.listeningPort()
        try await withTimeout {
            var silent = try await LineClient.connect(port: port)
            #expect(try await silent.readLine() == nil)
            try await waitFor("no login within 0.3 s; closed", in: { server.stderr })
            silent.close()
        }
    }

    /// The lines a client receives before `mark` (a notice from the server), which ends them.
    private func linesUntil(_ mark: String, from client: inout LineClient) async throws -> [String] {
        var lines: [String] = []
        while let line = try await client.readLine() {
            if line.hasSuffix("] server: \(mark)") { return lines }
            lines.append(line)
        }
        return lines
    }
}
