import Foundation
import NetlabSockets
import NetlabTopics

/// `netlab chat peer`, `chat server` and `chat client`.
enum ChatCommand {
    static let command = Command(
        "chat", summary: "Chat: two people (16-7, 16-8), rooms (16-9/10) and direct messages (seed 003).",
        examples: ["netlab chat peer --listen --port 0"],
        subcommands: [peer, server, client])

    static let peer = Command(
        "peer", summary: "Chat with one other person: one side listens, the other connects.",
        discussion: """
            Full duplex by default (16-8): both sides type at any time. With --half-duplex (16-7) the sides
            take turns, the connecting side first; give --half-duplex to both sides. An empty line, quit,
            Ctrl-C or the end of input ends the chat, and the other side is told. With --udp (seed 003) each line
            is one datagram: the listening side answers whoever sent the first one, and nobody is told of a leave.
            """,
        // Both a server and a client, so --host and --port say both.
        options: [
            .key(.listen), .key(.host.with(help: "address to listen on, or to connect to")),
            .key(.port.with(help: "port to listen on (0 picks one), or to connect to")), .key(.halfDuplex), .key(.udp),
            .key(.timeout.with(help: "how long to wait to connect")),
        ],
        examples: [
            "netlab chat peer --listen --half-duplex --port 23346", "netlab chat peer --half-duplex --port 23346",
            "netlab chat peer --listen --udp --port 0",
        ],
        action: { invocation in
            let terminalMode: ChatPeer.Mode = invocation[.halfDuplex] ? .halfDuplex : .fullDuplex
            let host = invocation[.host]
            let port = invocation[.port]
            if invocation[.udp] {
                if invocation[.halfDuplex] {
                    throw UsageError(
                        command: invocation.commandPath,
                        "--udp has no turns to take — drop --half-duplex, or drop --udp to take turns over TCP")
                }
                let peer = UDPChatPeer(terminal: ChatTerminal(console: invocation.console))
                if invocation[.listen] {
                    let socket = try Socket.boundUDP(host: host, port: port)
                    ServerOptions.announce(try socket.localAddress, transport: "udp", invocation: invocation)
                    return await peer.listen(on: socket)
                }
                let socket = try await Socket.connected(
                    host: host, port: port, kind: .udp, timeout: invocation[.timeout])
                return await peer.talk(over: socket)
            }
            if invocation[.listen] {
                let listener = try Socket.listening(host: host, port: port, backlog: 4)
                defer { listener.close() }
                ServerOptions.announce(try listener.localAddress, transport: "tcp", invocation: invocation)
                let peer = ChatPeer(mode: terminalMode, terminal: ChatTerminal(console: invocation.console))
                return await peer.listen(on: listener)
            }
            let socket = try await Socket.connected(host: host, port: port, timeout: invocation[.timeout])
            let peer = ChatPeer(mode: terminalMode, terminal: ChatTerminal(console: invocation.console))
            return await peer.talk(over: socket)
        })

    static let server = Command(
        "server", summary: "Serve chat clients in rooms, or with direct messages.",
        discussion: """
            rooms: the first line is 'username room'; the answer is 'success', or 'reuse' when the name is taken in
            that room; every later line goes to the others in the room as '[ctime] username: text'; 'quit' leaves.
            Also /who, /rooms, /join ROOM, /help, and /msg USER text: to USER in your room, else to the only USER
            on the server (several in other rooms: write /msg USER@ROOM text). direct: the first line is the
            nickname, unique on the server; 'to:message' goes to user 'to', 'all:message' to everyone else; the
            receiver gets 'from:message'. Lines typed on the server's standard input go to everyone as notices.

            Names are normalised (NFKC: fullwidth ｂｏｂ is bob) and compared without case (Bob is bob). A name
            is 1 to 32 letters, digits, '_', '-' or '.', its letters of one script: Latin, Greek or Cyrillic, or
            Chinese/Japanese/Korean with ASCII letters (小明Li); no spaces, symbols or invisible characters. Reserved
            in any form: server, all, error, success, reuse, quit, netlab, admin, administrator, root, system,
            notice, operator, everyone. A name that looks like one already in the room (Cyrillic о for o, I or 1
            for l, 0 for o) counts as taken. Rooms follow the same rule without the reserved words, and are shown
            in lower case. Control characters in messages (a carriage return, an escape sequence, a bidi
            override, U+2028) are relayed as '?'.

            A fast sender is slowed to its readers' pace: while a reader has over a quarter of --max-queue waiting,
            the server stops reading from the sender, whose own TCP window then holds it back. A reader that reads
            nothing for --stall-timeout meanwhile is cut off, and so is one whose queue fills regardless.

            Clients use TCP keepalive (probes after 60 s of silence, every 10 s, 3 tries), so a vanished
            client leaves and frees its name; a connection that sends no login line is closed after
            --login-timeout.

            Text is UTF-8 or GBK (seed 003's programs write Chinese in GBK): with --encoding auto each client is
            read and written in the encoding it writes, so a GBK client and a UTF-8 one read each other.
            """,
        options: [
            .key(.host), .key(.port), .key(.chatProtocol), .key(.maxLine), .key(.maxQueue), .key(.loginTimeout),
            .key(.stallTimeout), .key(.encoding), .key(.quiet),
        ],
        examples: ["netlab chat server --port 0 --protocol direct"],
        action: { invocation in
            Socket.raiseOpenFileLimit()
            let server = try ChatServer(
                host: invocation[.host], port: invocation[.port], chatProtocol: invocation[.chatProtocol],
                maxLineBytes: invocation[.maxLine], maxQueueBytes: invocation[.maxQueue],
                loginTimeout: invocation[.loginTimeout], stallTimeout: invocation[.stallTimeout],
                encoding: invocation[.encoding], console: invocation.console, logsConnections: !invocation[.quiet])
            ServerOptions.announce(try server.localAddress, transport: "tcp", invocation: invocation)
            // Notices typed on stdin (seed 003's tsend): a thread of their own, since reading stdin blocks.
            let console = invocation.console
            Thread {
                while let line = console.readLine() {
                    let text = String(decoding: line, as: UTF8.self)
                    if !text.allSatisfy(\.isWhitespace) { server.announce(text) }
                }
            }.start()
            return try await ServerLifetime.serve(server, console: invocation.console)
        })

    static let client = Command(
        "client", summary: "Chat on a chat server: in a room (--user, --room) or by direct messages (--nick).",
        discussion: """
            Rooms: lines go to everyone in the room; /who, /rooms, /join ROOM, /msg USER text, /msg USER@ROOM text
            and /help work on netlab's server. Direct: write NAME:message to one person, all:message to everyone. quit, Ctrl-C or the end
            of input leaves. On a terminal, messages appear above the line being typed and names are coloured
            (not with NO_COLOR); otherwise lines are read and printed plainly, for scripts.
            """,
        options: [
            .key(.user), .key(.room), .key(.nick), .key(.chatLineEnd), .key(.encoding), .key(.serverHost),
            .key(.serverPort), .key(.timeout),
        ],
        examples: [
            "netlab chat client --user alice --room lobby", "netlab chat client --nick bob --port 8888",
        ],
        action: { invocation in
            let path = "netlab chat client"
            let login: ChatClient.Login
            switch (invocation[.user], invocation[.room], invocation[.nick]) {
            case (let user?, let room?, nil):
                login = .rooms(user: user, room: room)
            case (nil, nil, let nick?):
                login = .direct(nick: nick)
            case (_?, _?, _?):
                throw UsageError(command: path, "give --user and --room for a room, or --nick alone, not both")
            case (_?, nil, _):
                throw UsageError(command: path, "--user needs --room: the room to join, such as --room lobby")
            case (nil, _?, _):
                throw UsageError(command: path, "--room needs --user: your name in the room, such as --user alice")
            case (nil, nil, nil):
                throw UsageError(
                    command: path, "say who you are: --user NAME --room ROOM for rooms, or --nick NAME for direct")
            }
            let socket = try await Socket.connected(
                host: invocation[.host], port: invocation[.port], timeout: invocation[.timeout])
            let client = ChatClient(
                login: login, terminal: ChatTerminal(console: invocation.console),
                timeout: invocation[.timeout], lineEnd: invocation[.chatLineEnd].fixed, encoding: invocation[.encoding])
            return try await client.run(over: socket)
        })
}

/// The chat client's `--eol`: a line end, or `auto` to follow the server.
enum ChatLineEnd: String, CaseIterable, Sendable {
    case auto, none, lf, crlf

    /// The line end chosen, or nil for `auto`.
    var fixed: TCPClient.LineEnd? { TCPClient.LineEnd(rawValue: rawValue) }
}

extension OptionKey where Value == Bool {
    /// `netlab chat peer --listen`.
    static var listen: Self { .flag("listen", help: "wait for the other side to connect, instead of connecting") }
    /// `netlab chat peer --half-duplex`.
    static var halfDuplex: Self {
        .flag("half-duplex", help: "take turns (16-7) instead of typing at any time (16-8)")
    }
    /// `netlab chat peer --udp`.
    static var udp: Self {
        .flag("udp", help: "chat over UDP datagrams (seed 003): no connection, each line one datagram")
    }
}

extension OptionKey where Value == ChatServer.ChatProtocol {
    /// `netlab chat server --protocol`.
    static var chatProtocol: Self { .choice("protocol", "NAME", default: .rooms, help: "rooms or direct") }
}

extension OptionKey where Value == ChatEncodingChoice {
    /// `--encoding`, on the chat server and client.
    static var encoding: Self {
        .choice(
            "encoding", "NAME", default: .auto,
            help: "utf-8, gbk, or auto: follow the other side (GBK when its text is not UTF-8 but reads as GBK)")
    }
}

extension OptionKey where Value == ChatLineEnd {
    /// `netlab chat client --eol`.
    static var chatLineEnd: Self {
        .choice(
            "eol", "END", default: .auto,
            help: "what follows each line sent: none, lf or crlf; auto follows the server (none for direct)")
    }
}

extension OptionKey where Value == Int {
    /// `netlab chat server --max-line`.
    static var maxLine: Self {
        .integer("max-line", "BYTES", in: 16...(1 << 20), default: 4096, help: "the longest line relayed")
    }
    /// `netlab chat server --max-queue`.
    static var maxQueue: Self {
        .integer(
            "max-queue", "BYTES", in: 1024...(1 << 30), default: 1_048_576,
            help: "bytes that may wait for a slow reader before it is disconnected")
    }
}

extension OptionKey where Value == Duration {
    /// `netlab chat server --login-timeout`.
    static var loginTimeout: Self {
        .seconds(
            "login-timeout", default: .seconds(30), help: "close a connection that sends no login line within this time"
        )
    }
    /// `netlab chat server --stall-timeout`.
    static var stallTimeout: Self {
        .seconds(
            "stall-timeout", default: .seconds(10),
            help: "cut off a reader that reads nothing for this long while a sender waits for it")
    }
}

extension OptionKey where Value == String? {
    /// `netlab chat client --user`.
    static var user: Self { .text("user", "NAME", help: "your name in a room (the rooms protocol, with --room)") }
    /// `netlab chat client --room`.
    static var room: Self { .text("room", "ROOM", help: "the room to join (with --user)") }
    /// `netlab chat client --nick`.
    static var nick: Self { .text("nick", "NAME", help: "your nickname (the direct protocol, seed 003)") }
}
