import NetlabSockets

/// The multi-user chat client: logs in to a chat server (rooms, 16-9/10, or direct, seed 003), then
/// sends what its user types and shows what arrives, both at once (full duplex).
///
/// Like `ChatPeer`, the keyboard and the connection feed one stream of events that one loop handles.
public struct ChatClient: Sendable {
    public enum Login: Sendable {
        /// `username room`, answered `success` or `reuse`.
        case rooms(user: String, room: String)
        /// The nickname alone; a taken one is answered with an error and a close.
        case direct(nick: String)
    }

    public let login: Login
    public let terminal: ChatTerminal
    /// How long to wait for the server to answer the login.
    public let timeout: Duration
    /// What follows each line sent; nil adapts to the server: a rooms server that answers `success`
    /// without a line end (seed 001's cs.py, which compares `data == 'quit'`) gets none, and so does a
    /// direct server, which never answers a login (seed 003's stores the nickname as it came).
    public let lineEnd: TCPClient.LineEnd?
    /// What the server's text is read and the user's written in: `auto` starts in UTF-8 and follows the
    /// server to GBK once it sends text that reads only as GBK (seed 003's server writes GBK).
    public let encoding: ChatEncodingChoice

    /// How long a refused direct-protocol login takes to be answered: that server says nothing on success.
    static let refusalWait = Duration.milliseconds(300)
    /// How long `quit` waits for the server to answer and close before the client exits anyway.
    static let farewellWait = Duration.milliseconds(2000)

    public init(
        login: Login, terminal: ChatTerminal, timeout: Duration, lineEnd: TCPClient.LineEnd? = nil,
        encoding: ChatEncodingChoice = .auto
    ) {
        self.encoding = encoding
        self.login = login
        self.terminal = terminal
        self.timeout = timeout
        self.lineEnd = lineEnd
    }

    enum Event: Sendable {
        case received(Message)
        case serverClosed
        case typed(ChatTerminal.Input)
        case farewellTimedOut
    }

    /// Logs in and chats until the user leaves; returns the exit status.
    public func run(over socket: Socket) async throws -> Int32 {
        defer { terminal.restore() }
        // It only shows what the server sends: a server that mixes line ends and pauses still shows.
        var reader = LineReader(socket, locksToLines: false)
        let lineEnd: TCPClient.LineEnd
        do {
            lineEnd = try await logIn(over: socket, reader: &reader)
        } catch {
            socket.close()
            throw error
        }
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        return await withTaskGroup(of: Void.self, returning: Int32.self) { group in
            group.addTask {
                for await input in terminal.input { sink.yield(.typed(input)) }
            }
            let link = ChatLink(
                socket, reader: reader, lineEnd: lineEnd.bytes, group: &group, received: { sink.yield(.received($0)) },
                closed: { sink.yield(.serverClosed) })
            var session = Session(client: self, link: link, events: sink)
            session.greet()
            for await event in events {
                if let status = session.handle(event) {
                    group.cancelAll()
                    return status
                }
            }
            return 0
        }
    }

    /// Sends the login line and checks the answer; throws a sentence when the server refuses.
    /// Returns what is to follow each line from now on.
    private func logIn(over socket: Socket, reader: inout LineReader) async throws -> TCPClient.LineEnd {
        switch login {
        case .rooms(let user, let room):
            // Every rooms server splits the login on white space, so a newline is safe here whatever follows.
            try await socket.send((encoding.fixed ?? .utf8).encode("\(user) \(room)") + (lineEnd ?? .lf).bytes)
            let message = try await firstMessage(from: &reader, within: timeout, peer: socket)
            let answer = message.map { TerminalText.printable($0.text) }
            switch answer {
            case "success":
                if let lineEnd { return lineEnd }
                switch message?.terminator {
                case [UInt8(ascii: "\r"), UInt8(ascii: "\n")]: return .crlf
                case [UInt8(ascii: "\n")]: return .lf
                default: return .none  // it speaks without line ends, and expects none
                }
            case "reuse":
                throw RuntimeError(
                    "the name \(user), or one that looks like it, is already taken in room \(room); choose another --user"
                )
            case nil:
                throw RuntimeError("the server closed the connection without answering the login")
            case let other?:
                throw RuntimeError("the server refused the login: \(Self.withoutErrorPrefix(other))")
            }
        case .direct(let nick):
            let lineEnd = self.lineEnd ?? .none
            try await socket.send((encoding.fixed ?? .utf8).encode(nick) + lineEnd.bytes)
            // Seed 003's server answers nothing when the nickname is free: a refusal comes at once, or not at all.
            let answer: Message?
            do {
                answer = try await reader.next(before: .now + Self.refusalWait)
            } catch is WaitTimeout {
                return lineEnd
            }
            guard let answer else { throw RuntimeError("the server closed the connection right after the login") }
            let line = TerminalText.printable(answer.text)
            guard line.hasPrefix("error") else {
                terminal.show(line)  // already a first message, not a refusal
                return lineEnd
            }
            throw RuntimeError("the server refused the nickname \(nick): \(Self.withoutErrorPrefix(line))")
        }
    }

    private func firstMessage(from reader: inout LineReader, within wait: Duration, peer: Socket) async throws
        -> Message?
    {
        do {
            return try await reader.next(before: .now + wait)
        } catch is WaitTimeout {
            throw SocketError.timedOut(
                operation: "waiting for the login answer from", peer: peer.remoteAddress?.description ?? "the server",
                seconds: wait.seconds)
        }
    }

    static func withoutErrorPrefix(_ line: String) -> String {
        var text = Substring(line)
        if text.hasPrefix("error") { text = text.dropFirst(5).drop { $0 == ":" || $0 == " " } }
        return String(text)
    }
}

/// A logged-in client's state, changed by one event at a time.
private struct Session {
    let client: ChatClient
    let link: ChatLink
    let events: AsyncStream<ChatClient.Event>.Continuation
    var terminal: ChatTerminal { client.terminal }
    var isLeaving = false
    /// The error lines received while nothing else has come: a direct server that refuses a nickname
    /// late (on a busy machine, after `refusalWait`) answers with one, then closes.
    var errorsOnly: [String] = []
    var hasChatted = false
    /// How the server writes, as seen so far; lines typed are sent the same way.
    var serverEncoding: ChatEncoding

    init(client: ChatClient, link: ChatLink, events: AsyncStream<ChatClient.Event>.Continuation) {
        self.client = client
        self.link = link
        self.events = events
        serverEncoding = client.encoding.fixed ?? .utf8
    }

    var name: String {
        switch client.login {
        case .rooms(let user, _): user
        case .direct(let nick): nick
        }
    }

    /// A hint for the person at the terminal; scripts reading pipes get none.
    func greet() {
        guard terminal.isInteractive else { return }
        switch client.login {
        case .rooms(let user, let room):
            notice("you are \(user) in room \(room); /help lists the commands, quit leaves")
        case .direct(let nick):
            notice("you are \(nick); write NAME:message to one person, all:message to everyone; quit leaves")
        }
        terminal.setPrompt(terminal.colored(name: name) + "> ")
    }

    mutating func handle(_ event: ChatClient.Event) -> Int32? {
        switch event {
        case .received(let message):
            let decoded = client.encoding.decode(message.text, current: serverEncoding)
            if let spoken = decoded?.encoding { serverEncoding = spoken }
            let line = TerminalText.cleaned(decoded?.text ?? String(decoding: message.text, as: UTF8.self))
            if case .rooms = client.login, line == "quit", isLeaving { return nil }  // the server's goodbye
            if !hasChatted && line.hasPrefix("error") {
                errorsOnly.append(line)
            } else {
                hasChatted = true
            }
            show(line)
            return nil
        case .serverClosed:
            if isLeaving { return 0 }
            terminal.restore()
            if case .direct(let nick) = client.login, !hasChatted, let refusal = errorsOnly.last {
                terminal.console.err(
                    "netlab: the server refused the nickname \(nick): \(ChatClient.withoutErrorPrefix(refusal))")
            } else {
                terminal.console.err("netlab: the server closed the connection.")
            }
            return 1
        case .farewellTimedOut:
            return 0
        case .typed(let input):
            if isLeaving { return nil }
            switch input {
            case .endOfInput, .interrupt:
                return leave()
            case .line(let line):
                if line == "quit" { return leave() }
                if line.isEmpty { return nil }
                if case .direct = client.login, !line.contains(":") {
                    notice("write NAME:message to one person, or all:message to everyone; that line was not sent")
                    return nil
                }
                link.send(line, encoding: serverEncoding)
                return nil
            }
        }
    }

    /// Leaves: the rooms protocol says `quit` and waits for the server's answer; then the stream ends.
    private mutating func leave() -> Int32? {
        isLeaving = true
        if case .rooms = client.login { link.send("quit") }
        link.finish()
        let events = events
        Task {
            try? await Task.sleep(for: ChatClient.farewellWait)
            events.yield(.farewellTimedOut)
        }
        return nil
    }

    /// A received line: on a terminal the sender's name is coloured; otherwise printed as it came.
    private func show(_ line: String) {
        guard terminal.isInteractive else {
            terminal.show(line)
            return
        }
        terminal.show(decorated(line))
    }

    private func decorated(_ line: String) -> String {
        if line.hasPrefix("error") || line.hasPrefix("* ") { return terminal.dimmed(line) }
        switch client.login {
        case .rooms:
            // [ctime] username: text
            guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return line }
            let rest = line[line.index(after: close)...].drop { $0 == " " }
            guard let colon = rest.firstIndex(of: ":") else { return terminal.dimmed(line) }
            let sender = String(rest[..<colon])
            if sender.contains(" ") { return terminal.dimmed(line) }  // a notice: "alice joined the room"
            return terminal.dimmed(String(line[...close])) + " " + terminal.colored(name: sender) + rest[colon...]
        case .direct:
            guard let colon = line.firstIndex(of: ":") else { return line }
            return terminal.colored(name: String(line[..<colon])) + ": " + line[line.index(after: colon)...]
        }
    }

    private func notice(_ text: String) {
        if terminal.isInteractive {
            terminal.show(terminal.dimmed("* " + text))
        } else {
            terminal.console.err("* " + text)
        }
    }
}
