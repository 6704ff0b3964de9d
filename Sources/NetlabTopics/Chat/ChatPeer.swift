import NetlabSockets

/// Two-party chat, seed 001's 16-7 (half duplex) and 16-8 (full duplex): one side listens, the other
/// connects, and each types lines to the other.
///
/// Full duplex needs two things waited for at once: the keyboard and the network. The seed runs a
/// thread for each; here both feed one stream of events, and one loop (`Conversation.handle`) takes
/// them in turn, the way a `select()` loop would. Read it with lessons/09-two-party-chat.md.
public struct ChatPeer: Sendable {
    public enum Mode: Sendable {
        /// 16-7: strict turns, the connecting side first.
        case halfDuplex
        /// 16-8: either side sends at any time.
        case fullDuplex
    }

    public let mode: Mode
    public let terminal: ChatTerminal

    /// The first line a full-duplex netlab peer sends. A half-duplex side never speaks out of turn,
    /// so this line alone tells two netlab peers whether their modes agree, and a seed's Python peer,
    /// which sends nothing of the kind, chats as before.
    static let fullDuplexBanner = "* netlab chat peer (full duplex)"
    /// How a side that refuses its partner says why, before it closes.
    static let refusalPrefix = "* refused: "
    /// How a listening side already in a chat turns a third person away.
    static let busyPrefix = "* busy: "
    /// How long a side that leaves waits for the other to close before it exits anyway.
    static let farewellWait = Duration.milliseconds(1500)

    public init(mode: Mode, terminal: ChatTerminal) {
        self.mode = mode
        self.terminal = terminal
    }

    /// Waits for a partner on `listener`, then chats; a partner refused for its mode is followed by the next.
    public func listen(on listener: Socket) async -> Int32 {
        await converse(listener: listener, connection: nil)
    }

    /// Chats over a connection this side opened.
    public func talk(over connection: Socket) async -> Int32 {
        await converse(listener: nil, connection: connection)
    }

    /// Everything that can happen, in the order it happens.
    enum Event: Sendable {
        case connected(Socket)
        case received(Message, session: Int)
        case partnerClosed(session: Int)
        case typed(ChatTerminal.Input)
        case farewellTimedOut
    }

    private func converse(listener: Socket?, connection: Socket?) async -> Int32 {
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        let status = await withTaskGroup(of: Void.self, returning: Int32.self) { group in
            // The keyboard, and (for the listening side) new partners, become events...
            group.addTask {
                for await input in terminal.input { sink.yield(.typed(input)) }
            }
            if let listener {
                group.addTask {
                    while !Task.isCancelled, let partner = try? await listener.accept() {
                        sink.yield(.connected(partner))
                    }
                }
            }
            if let connection { sink.yield(.connected(connection)) }
            // ...and this loop handles them one at a time.
            var conversation = Conversation(peer: self, isListener: listener != nil, events: sink)
            conversation.showPrompt()
            for await event in events {
                if let status = conversation.handle(event, group: &group) {
                    group.cancelAll()
                    return status
                }
            }
            return 0
        }
        terminal.restore()
        return status
    }
}

extension ChatPeer {
    /// Whether typing this ends the chat: an empty line, quit, the end of input or Ctrl-C.
    static func isLeaving(_ input: ChatTerminal.Input) -> Bool {
        switch input {
        case .endOfInput, .interrupt: true
        case .line(let line): line.isEmpty || line == "quit"
        }
    }
}

/// The state of one side of a two-party chat, changed by one event at a time.
private struct Conversation {
    let peer: ChatPeer
    let isListener: Bool
    let events: AsyncStream<ChatPeer.Event>.Continuation
    var terminal: ChatTerminal { peer.terminal }
    var isHalfDuplex: Bool { peer.mode == .halfDuplex }

    var partner: Socket?
    /// The connection to the partner: lines go out in order, and finishing it ends the chat.
    var link: ChatLink?
    var partnerName = ""
    var session = 0
    /// Half duplex: whether this side may send now.
    var myTurn = false
    var isLeaving = false
    var exitStatus: Int32 = 0
    /// What was typed (into a pipe, not a terminal) before it could be sent: kept for its turn, as the
    /// seed's `raw_input` leaves it waiting in the pipe.
    var held: [ChatTerminal.Input] = []

    init(peer: ChatPeer, isListener: Bool, events: AsyncStream<ChatPeer.Event>.Continuation) {
        self.peer = peer
        self.isListener = isListener
        self.events = events
    }

    /// Handles one event; returns the exit status once the chat is over.
    mutating func handle(_ event: ChatPeer.Event, group: inout TaskGroup<Void>) -> Int32? {
        switch event {
        case .connected(let socket):
            return welcome(socket, group: &group)
        case .received(let message, let from) where from == session && partner != nil:
            return receive(message)
        case .partnerClosed(let from) where from == session && partner != nil:
            if !isLeaving { notice("\(partnerName) left the chat") }
            return endChat()
        case .typed(let input):
            // Typing quit (or an empty line) never waits for a partner or a turn, unless lines typed before it
            // still wait for theirs. The end of a pipe does wait: the other side may still have a turn to take.
            if terminal.isInteractive || canAct || (held.isEmpty && input != .endOfInput && ChatPeer.isLeaving(input)) {
                return act(on: input)
            }
            held.append(input)
            return nil
        case .farewellTimedOut:
            return endChat()
        case .received, .partnerClosed:
            return nil  // from a partner already dropped
        }
    }

    private var canAct: Bool { partner != nil && (!isHalfDuplex || myTurn) }

    // MARK: The partner

    private mutating func welcome(_ socket: Socket, group: inout TaskGroup<Void>) -> Int32? {
        let name = socket.remoteAddress?.description ?? "your partner"
        if partner != nil {
            // One conversation at a time: a third person is told, not silently ignored.
            Task { [socket] in
                try? await socket.send(
                    ChatPeer.busyPrefix + "this side is already chatting with someone; try again later\n")
                await socket.closeAfterDraining(timeout: .seconds(1))
            }
            return nil
        }
        partner = socket
        partnerName = name
        session += 1
        let events = events
        link = ChatLink(
            socket, group: &group,
            received: { [session] in events.yield(.received($0, session: session)) },
            closed: { [session] in events.yield(.partnerClosed(session: session)) })
        if peer.mode == .fullDuplex { say(ChatPeer.fullDuplexBanner) }
        myTurn = !isListener  // the connecting side speaks first
        notice(
            "connected to \(name): "
                + (isHalfDuplex
                    ? "half duplex, taking turns; the connecting side speaks first"
                    : "full duplex, type any time")
                + "; an empty line or quit ends the chat")
        showPrompt()
        return takeHeldInput()
    }

    private mutating func receive(_ message: Message) -> Int32? {
        let text = TerminalText.printable(message.text)
        if text.hasPrefix(ChatPeer.fullDuplexBanner) {
            guard isHalfDuplex else { return nil }
            say(
                ChatPeer.refusalPrefix + "this side takes turns (--half-duplex); "
                    + "start yours with --half-duplex too, or start both without it")
            return refused(
                "\(partnerName) chats in full duplex and this side in half duplex; "
                    + "start both with --half-duplex, or neither")
        }
        if text.hasPrefix(ChatPeer.refusalPrefix) {
            return refused("\(partnerName) refused the chat: " + text.dropFirst(ChatPeer.refusalPrefix.count))
        }
        if text.hasPrefix(ChatPeer.busyPrefix) {
            return refused("\(partnerName) is busy: " + text.dropFirst(ChatPeer.busyPrefix.count))
        }
        if isHalfDuplex && !myTurn && message.ending == .overlong {
            show(text)
            return nil  // the rest of this long line follows; the turn passes at its end
        }
        show(text)
        guard isHalfDuplex else { return nil }
        myTurn = true
        showPrompt()
        return takeHeldInput()
    }

    /// The partner is in the other mode: drop it, and for the listening side wait for the next one.
    private mutating func refused(_ reason: String) -> Int32? {
        guard isListener else {
            // Exit once the partner has read why and closed, or after a short wait.
            exitStatus = 1
            return leave(saying: reason)
        }
        link?.finish()  // what was queued (a refusal) goes out, then the end of the stream
        partner = nil
        notice(reason + "; waiting for another partner")
        showPrompt()
        return nil
    }

    // MARK: The keyboard

    private mutating func act(on input: ChatTerminal.Input) -> Int32? {
        if isLeaving { return nil }
        switch input {
        case .endOfInput, .interrupt:
            return leave()
        case .line(let line):
            if ChatPeer.isLeaving(input) { return leave() }
            guard partner != nil else {
                notice("nobody to talk to yet: wait for someone to connect; that line was not sent")
                return nil
            }
            guard !isHalfDuplex || myTurn else {
                notice("not your turn: wait for \(partnerName)'s message; that line was not sent")
                return nil
            }
            say(line)
            if isHalfDuplex {
                myTurn = false
                showPrompt()
            }
            return nil
        }
    }

    /// Input typed ahead into a pipe, taken as soon as it can be acted on.
    private mutating func takeHeldInput() -> Int32? {
        while canAct, !held.isEmpty {
            if let status = act(on: held.removeFirst()) { return status }
            if isLeaving { return nil }
        }
        return nil
    }

    /// Ends the chat from this side: the partner sees the end of the stream and is told.
    private mutating func leave(saying reason: String = "you left the chat") -> Int32? {
        notice(reason)
        guard partner != nil else { return endChat() }
        isLeaving = true
        link?.finish()
        let events = events
        Task {
            try? await Task.sleep(for: ChatPeer.farewellWait)
            events.yield(.farewellTimedOut)
        }
        return nil
    }

    private func endChat() -> Int32? { exitStatus }

    // MARK: Output

    private func say(_ line: String) { link?.send(line) }

    private func show(_ text: String) {
        terminal.show(terminal.isInteractive ? terminal.colored(name: "partner") + ": " + text : text)
    }

    /// Notices are for the person at the keyboard: on a terminal among the messages, else on stderr,
    /// so standard output carries only what the partner said.
    private func notice(_ text: String) {
        if terminal.isInteractive {
            terminal.show(terminal.dimmed("* " + text))
        } else {
            terminal.console.err("* " + text)
        }
    }

    func showPrompt() {
        if partner == nil {
            terminal.setPrompt(terminal.dimmed("(waiting for a partner) "))
        } else if isHalfDuplex && !myTurn {
            terminal.setPrompt(terminal.dimmed("(their turn) "))
        } else {
            terminal.setPrompt("you> ")
        }
    }
}
