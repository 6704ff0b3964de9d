import NetlabSockets
import NetlabTopics
import Synchronization

/// The grader's server for client exercises: answers like netlab's servers and records what it received.
public final class ScriptedServer: Sendable {
    /// How the scripted server answers, from an exercise's `server` field: `{"reply": "timestamp"}`
    /// like netlab's servers, or `{"frames": true}`: rexec frames scripted by each `run_client` step.
    public struct Behaviour: Sendable, Decodable {
        public let reply: ReplyMode?
        public let frames: Bool

        enum CodingKeys: String, CodingKey { case reply, frames }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            frames = try container.decodeIfPresent(Bool.self, forKey: .frames) ?? false
            if let name = try container.decodeIfPresent(String.self, forKey: .reply) {
                guard let mode = ReplyMode(rawValue: name) else {
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: decoder.codingPath,
                            debugDescription: "reply must be timestamp, echo, upper or hello"))
                }
                reply = mode
            } else if frames {
                reply = nil
            } else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath, debugDescription: "a server needs a reply mode or frames: true")
                )
            }
        }
    }

    public let port: Int
    private let received = MessageLog()
    /// Where the TCP server logs its connections (kept in memory).
    private let log: Console
    private let task: Task<Void, any Error>
    private let closer: @Sendable () -> Void

    /// Starts a server on a loopback address and a free port; `replies` script a frame server.
    init(transport: Exercise.Transport, behaviour: Behaviour, host: String = "127.0.0.1", replies: [ScriptedReply] = [])
        throws
    {
        let quiet = Console.capture()
        log = quiet
        let received = self.received
        let record: @Sendable (Message) -> Void = { message in received.lines.withLock { $0.append(message.string) } }
        switch transport {
        case .tcp where behaviour.frames:
            let server = try ScriptedFrameServer(
                host: host, replies: replies, onConnect: { received.wasReached.withLock { $0 = true } },
                onMessage: record)
            port = try server.localAddress.port
            task = Task { try await server.run() }
            closer = server.close
        case .tcp:
            // Its connections are logged to `log`, so `wasReached` can tell a client that never connected.
            let server = try TCPServer(
                host: host, port: 0, reply: behaviour.reply ?? .echo, console: quiet, logsConnections: true,
                onMessage: record)
            port = try server.localAddress.port
            task = Task { try await server.run() }
            closer = server.close
        case .udp:
            let server = try UDPServer(
                host: host, port: 0, reply: behaviour.reply ?? .echo, console: quiet, logsDatagrams: false,
                onMessage: record)
            port = try server.localAddress.port
            task = Task { try await server.run() }
            closer = server.close
        }
    }

    /// Every message received so far, as text without line ends.
    var messages: [String] { received.lines.withLock { $0 } }

    /// Whether a client has reached the server: connected to it (TCP), or sent it a datagram (UDP).
    var wasReached: Bool {
        received.wasReached.withLock { $0 } || !messages.isEmpty || log.capturedErr.contains("connected from")
    }

    func stop() {
        task.cancel()
        closer()
    }
}

/// What a scripted server received, shared with its server's message callback.
private final class MessageLog: Sendable {
    let lines = Mutex<[String]>([])
    /// Whether a client connected to the frame server.
    let wasReached = Mutex(false)
}
