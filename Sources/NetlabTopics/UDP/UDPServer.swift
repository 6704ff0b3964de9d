import NetlabSockets

/// The course's UDP server (seed 000's tsUserv.py, seed 002's hello server).
///
/// Read it next to lessons/04-udp-sockets.md: socket and bind in `init`, then `run` is the whole lesson:
/// receive a datagram and who sent it, send the reply back to that address. No listen, no accept.
public final class UDPServer: Sendable {
    public let reply: ReplyMode
    public let console: Console
    public let logsDatagrams: Bool
    /// Whether senders on ports below 1024 are answered (never the echo, daytime, chargen and time ports).
    public let answersLowPorts: Bool
    /// The most replies per second to one sender; 0 means no limit.
    public let repliesPerSecond: Int
    /// Called with every datagram, before it is answered (the grader's scripted server records them).
    public let onMessage: (@Sendable (Message) -> Void)?
    private let socket: Socket

    /// Creates the socket and binds it: socket(2) with SOCK_DGRAM, bind(2).
    public init(
        at endpoint: Endpoint, reply: ReplyMode, console: Console, logsDatagrams: Bool = true,
        answersLowPorts: Bool = false, repliesPerSecond: Int = DatagramReplyGuard.defaultRepliesPerSecond,
        onMessage: (@Sendable (Message) -> Void)? = nil
    ) throws {
        self.reply = reply
        self.onMessage = onMessage
        self.console = console
        self.logsDatagrams = logsDatagrams
        self.answersLowPorts = answersLowPorts
        self.repliesPerSecond = repliesPerSecond
        socket = try Socket.boundDatagram(at: endpoint)
    }

    /// Creates the socket and binds it to a host and port.
    public convenience init(
        host: String, port: Int, reply: ReplyMode, console: Console, logsDatagrams: Bool = true,
        answersLowPorts: Bool = false, repliesPerSecond: Int = DatagramReplyGuard.defaultRepliesPerSecond,
        onMessage: (@Sendable (Message) -> Void)? = nil
    ) throws {
        try self.init(
            at: .inet(host: host, port: port), reply: reply, console: console, logsDatagrams: logsDatagrams,
            answersLowPorts: answersLowPorts, repliesPerSecond: repliesPerSecond, onMessage: onMessage)
    }

    /// Where the server listens; after `--port 0`, the port the kernel picked.
    public var localAddress: SocketAddress { get throws { try socket.localAddress } }

    /// Answers datagrams until cancelled: recvfrom(2), then sendto(2) to the sender.
    ///
    /// A datagram whose reply could loop (see `DatagramReplyGuard`) is not answered.
    public func run() async throws {
        let local = try socket.localAddress
        try await withTaskExecutorPreference(socket.loop) {
            var replyGuard = DatagramReplyGuard(
                local: local, answersLowPorts: answersLowPorts, repliesPerSecond: repliesPerSecond)
            while !Task.isCancelled {
                let (datagram, sender) = try await socket.receiveDatagram()
                if let refusal = replyGuard.refusal(for: sender) {
                    if let line = replyGuard.logLine(for: refusal, from: sender) { console.log(line) }
                    continue
                }
                if logsDatagrams { console.log("received \(datagram.count) bytes from \(sender)") }
                let message = Message(datagram: datagram)
                onMessage?(message)
                guard let answer = reply.reply(to: message, transport: .udp) else { continue }
                do {
                    try await socket.send(answer, to: sender)
                } catch {
                    // One unreachable sender must not stop the server.
                    console.logClientError(error, peer: sender.description)
                }
            }
        }
    }

    /// Stops the server: `run` ends.
    public func close() { socket.close() }
}
