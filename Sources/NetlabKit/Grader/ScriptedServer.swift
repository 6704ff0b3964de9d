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
    private let task: Task<Void, any Error>
    private let closer: @Sendable () -> Void

    /// Starts a server on a loopback address and a free port; `replies` script a frame server.
    init(transport: Exercise.Transport, behaviour: Behaviour, host: String = "127.0.0.1", replies: [ScriptedReply] = [])
        throws
    {
        let quiet = Console.capture()
        let received = self.received
        let record: @Sendable (Message) -> Void = { message in received.lines.withLock { $0.append(message.string) } }
        switch transport {
        case .tcp where behaviour.frames:
            let server = try ScriptedFrameServer(host: host, replies: replies, onMessage: record)
            port = try server.localAddress.port
            task = Task { try await server.run() }
            closer = server.close
        case .tcp:
            let server = try TCPServer(
                host: host, port: 0, reply: behaviour.reply ?? .echo, console: quiet, logsConnections: false,
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

    func stop() {
        task.cancel()
        closer()
    }
}

/// What a scripted server received, shared with its server's message callback.
private final class MessageLog: Sendable {
    let lines = Mutex<[String]>([])
}
