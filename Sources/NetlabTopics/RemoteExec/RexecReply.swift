import NetlabSockets

/// The header of a remote command's reply frame (seed 004's `total_size`, and what netlab adds).
public struct RexecHeader: Codable, Sendable, Equatable {
    /// Payload bytes: stdout's then stderr's.
    public var totalSize: Int
    public var stdoutSize: Int
    public var stderrSize: Int
    public var exitStatus: Int32
    /// Whether output was cut at the server's --max-output.
    public var truncated: Bool
    /// Whether the command was stopped at the server's --timeout.
    public var timedOut: Bool

    enum CodingKeys: String, CodingKey {
        case totalSize = "total_size"
        case stdoutSize = "stdout_size"
        case stderrSize = "stderr_size"
        case exitStatus = "exit_status"
        case truncated
        case timedOut = "timed_out"
    }

    public init(stdoutSize: Int, stderrSize: Int, exitStatus: Int32, truncated: Bool = false, timedOut: Bool = false) {
        totalSize = stdoutSize + stderrSize
        self.stdoutSize = stdoutSize
        self.stderrSize = stderrSize
        self.exitStatus = exitStatus
        self.truncated = truncated
        self.timedOut = timedOut
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        totalSize = try container.decode(Int.self, forKey: .totalSize)
        // A seed-style server sends total_size alone: all of it is stdout.
        stdoutSize = try container.decodeIfPresent(Int.self, forKey: .stdoutSize) ?? totalSize
        stderrSize = try container.decodeIfPresent(Int.self, forKey: .stderrSize) ?? 0
        exitStatus = try container.decodeIfPresent(Int32.self, forKey: .exitStatus) ?? 0
        truncated = try container.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
        timedOut = try container.decodeIfPresent(Bool.self, forKey: .timedOut) ?? false
    }
}

/// A remote command's result, as one frame: header, then stdout bytes, then stderr bytes.
public struct RexecReply: Sendable, Equatable {
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var exitStatus: Int32
    public var truncated = false
    public var timedOut = false

    public init(stdout: [UInt8], stderr: [UInt8], exitStatus: Int32, truncated: Bool = false, timedOut: Bool = false) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitStatus = exitStatus
        self.truncated = truncated
        self.timedOut = timedOut
    }

    /// A refusal: nothing ran; the reason goes to stderr.
    public static func refusal(_ message: String, status: Int32) -> RexecReply {
        RexecReply(stdout: [], stderr: Array(("netlab rexec: " + message + "\n").utf8), exitStatus: status)
    }

    public var frame: Frame {
        let header = RexecHeader(
            stdoutSize: stdout.count, stderrSize: stderr.count, exitStatus: exitStatus, truncated: truncated,
            timedOut: timedOut)
        return (try? Frame(encoding: header, payload: stdout + stderr)) ?? Frame(header: [], payload: [])
    }

    /// Reads a reply out of a frame, checking every size from the wire against the bytes that came,
    /// without arithmetic that could overflow (a hostile header may say 9223372036854775807).
    public init(frame: Frame) throws {
        let header = try frame.decodeHeader(as: RexecHeader.self)
        let received = frame.payload.count
        guard header.totalSize == received, (0...received).contains(header.stdoutSize),
            (0...received).contains(header.stderrSize), header.stderrSize == received - header.stdoutSize
        else {
            throw RuntimeError(
                "the server's reply header says total_size \(header.totalSize), stdout_size \(header.stdoutSize) and "
                    + "stderr_size \(header.stderrSize), which do not match the \(received) bytes that came — "
                    + "is it a netlab rexec server?")
        }
        stdout = Array(frame.payload[..<header.stdoutSize])
        stderr = Array(frame.payload[header.stdoutSize...])
        exitStatus = header.exitStatus
        truncated = header.truncated
        timedOut = header.timedOut
    }
}
