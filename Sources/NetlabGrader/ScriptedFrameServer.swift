import NetlabSockets
import NetlabTopics

/// One reply a scripted frame server sends, and how it cuts the bytes on the way (framed-client exercise).
public struct ScriptedReply: Sendable, Decodable {
    /// How the frame's bytes are written.
    public enum Delivery: String, Sendable, Decodable {
        /// One write.
        case whole
        /// One byte per write, a millisecond apart.
        case byteByByte = "byte_by_byte"
        /// Cut inside the 4-byte length and inside the JSON header, with pauses between.
        case splitHeader = "split_header"
        /// This frame and every later one in a single write, sent for this request.
        case withNext = "with_next"
    }

    public let stdout: String?
    /// Instead of `stdout`: this many bytes of numbered lines, for a long reply.
    public let patternBytes: Int?
    public let stderr: String?
    public let exitStatus: Int32?
    public let delivery: Delivery

    enum CodingKeys: String, CodingKey {
        case stdout, stderr, delivery
        case patternBytes = "pattern_bytes"
        case exitStatus = "exit_status"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        stdout = try container.decodeIfPresent(String.self, forKey: .stdout)
        patternBytes = try container.decodeIfPresent(Int.self, forKey: .patternBytes)
        stderr = try container.decodeIfPresent(String.self, forKey: .stderr)
        exitStatus = try container.decodeIfPresent(Int32.self, forKey: .exitStatus)
        delivery = try container.decodeIfPresent(Delivery.self, forKey: .delivery) ?? .whole
    }

    /// The stdout bytes of this reply.
    public var stdoutBytes: [UInt8] {
        if let patternBytes {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(patternBytes + 64)
            var line = 1
            while bytes.count < patternBytes {
                bytes += Array("line \(line) of a long reply from the scripted server\n".utf8)
                line += 1
            }
            return Array(bytes.prefix(patternBytes))
        }
        return Array((stdout ?? "").utf8)
    }

    var reply: RexecReply {
        RexecReply(stdout: stdoutBytes, stderr: Array((stderr ?? "").utf8), exitStatus: exitStatus ?? 0)
    }
}

/// The grader's rexec server for the framed-client exercise: answers the n-th request with the n-th
/// scripted reply, cutting the bytes the way the reply says, and records the requests.
final class ScriptedFrameServer: StreamServer {
    let replies: [ScriptedReply]
    let onMessage: @Sendable (Message) -> Void
    /// Called as each client connects, so the grader can tell a client that never connected.
    let onConnect: @Sendable () -> Void
    let listener: Socket
    /// Nobody reads this server's log: what the client did is judged from the requests recorded.
    let console = Console.capture()
    var logsArrivals: Bool { false }

    init(
        host: String, replies: [ScriptedReply], onConnect: @escaping @Sendable () -> Void = {},
        onMessage: @escaping @Sendable (Message) -> Void
    ) throws {
        self.replies = replies
        self.onConnect = onConnect
        self.onMessage = onMessage
        listener = try Socket.listening(host: host, port: 0)
    }

    func converse(with client: Socket) async {
        onConnect()
        var reader = LineReader(client)
        var next = 0
        do {
            while let request = try await reader.next() {
                onMessage(request)
                guard next < replies.count else { continue }
                let reply = replies[next]
                if reply.delivery == .withNext {
                    try await client.send(replies[next...].flatMap { $0.reply.frame.bytes })
                    next = replies.count
                    continue
                }
                try await deliver(reply.reply.frame.bytes, reply.delivery, to: client)
                next += 1
            }
        } catch {
            return  // the client under test went away: its checks will say what it missed
        }
    }

    private func deliver(_ bytes: [UInt8], _ delivery: ScriptedReply.Delivery, to client: Socket) async throws {
        switch delivery {
        case .whole, .withNext:
            try await client.send(bytes)
        case .byteByByte:
            for byte in bytes {
                try await client.send([byte])
                try await Task.sleep(for: .milliseconds(1))
            }
        case .splitHeader:
            let headerLength = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
            let cuts = [2, 4 + headerLength / 2, bytes.count]
            var start = 0
            for cut in cuts where cut > start {
                try await client.send(Array(bytes[start..<cut]))
                start = cut
                try await Task.sleep(for: .milliseconds(40))
            }
        }
    }
}
