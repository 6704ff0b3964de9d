import NetlabSockets

/// An RFC 867 daytime server (seed 001, exercise 16-6): the date and time as one line of text, over UDP and TCP.
///
/// UDP: any datagram is answered with the time. TCP: the time is sent as soon as a client connects,
/// then the server closes the connection; what the client sends is ignored. See lessons/05-ports-and-services.md.
public final class DaytimeServer: Sendable {
    public let console: Console
    /// Whether UDP senders on ports below 1024 are answered (never the echo, daytime, chargen and time ports).
    public let answersLowPorts: Bool
    /// The most UDP replies per second to one sender; 0 means no limit.
    public let repliesPerSecond: Int
    private let udp: Socket?
    private let tcp: Socket?

    /// The reply: the time in ctime form and CRLF, as inetd's built-in daytime service answers.
    public static func reply() -> [UInt8] { Array((CTime.now() + "\r\n").utf8) }

    /// Whether a datagram is itself a daytime answer (a ctime line), which only another daytime server sends.
    static func isDaytimeReply(_ datagram: [UInt8]) -> Bool {
        guard datagram.count <= 64, let text = String(validating: datagram, as: UTF8.self) else { return false }
        let line = text.trimmingLineEnd()
        return line.wholeMatch(of: /[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}/) != nil
    }

    /// Binds a UDP socket, a TCP listener, or both on the same port number (port 0: one free port for both).
    public init(
        host: String, port: Int, udp serveUDP: Bool = true, tcp serveTCP: Bool = true, console: Console,
        answersLowPorts: Bool = false, repliesPerSecond: Int = DatagramReplyGuard.defaultRepliesPerSecond
    ) throws {
        self.console = console
        self.answersLowPorts = answersLowPorts
        self.repliesPerSecond = repliesPerSecond
        var attempt = 0
        while true {
            attempt += 1
            let udp = serveUDP ? try Socket.boundUDP(host: host, port: port) : nil
            let chosenPort = try udp?.localAddress.port ?? port
            do {
                self.tcp = serveTCP ? try Socket.listening(host: host, port: chosenPort) : nil
                self.udp = udp
                return
            } catch SocketError.addressInUse where port == 0 && attempt < 20 {
                // The free UDP port is taken for TCP by someone else: pick another pair.
                udp?.close()
            }
        }
    }

    /// The addresses served, UDP first.
    public var localAddresses: [(address: SocketAddress, transport: String)] {
        get throws {
            var result: [(SocketAddress, String)] = []
            if let udp { result.append((try udp.localAddress, "udp")) }
            if let tcp { result.append((try tcp.localAddress, "tcp")) }
            return result
        }
    }

    /// Serves both transports until cancelled.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            if let udp {
                let local = try udp.localAddress
                group.addTask(executorPreference: udp.loop) {
                    var replyGuard = DatagramReplyGuard(
                        local: local, answersLowPorts: self.answersLowPorts, repliesPerSecond: self.repliesPerSecond)
                    while !Task.isCancelled {
                        let (datagram, sender) = try await udp.receiveDatagram()
                        // Another daytime server's answer is a datagram too: answering it would loop for ever.
                        let refusal: DatagramReplyGuard.Refusal? =
                            Self.isDaytimeReply(datagram) ? .looksLikeReply : replyGuard.refusal(for: sender)
                        if let refusal {
                            if let line = replyGuard.logLine(for: refusal, from: sender) { self.console.log(line) }
                            continue
                        }
                        self.console.log("daytime (udp) for \(sender)")
                        try? await udp.send(Self.reply(), to: sender)
                    }
                }
            }
            if let tcp {
                group.addTask(executorPreference: tcp.loop) {
                    while !Task.isCancelled {
                        let client: Socket
                        do {
                            client = try await tcp.accept()
                        } catch let error as SocketError {
                            try await Socket.recover(afterFailedAccept: error, logTo: self.console)
                            continue
                        }
                        self.console.log("daytime (tcp) for \(client.peerDescription)")
                        try? await client.send(Self.reply())
                        client.close()
                    }
                }
            }
        }
    }

    public func close() {
        udp?.close()
        tcp?.close()
    }
}
