import NetlabSockets

/// One client's connection to the file server, or the client's to it: headers as frames, and the file's
/// bytes raw between them. Every wait has a deadline: `timeout` for the next byte.
struct FileConnection {
    let socket: Socket
    let timeout: Duration
    private var decoder = FrameDecoder(maxPayloadBytes: 0, headersCarrySize: false)

    init(_ socket: Socket, timeout: Duration) {
        self.socket = socket
        self.timeout = timeout
    }

    /// Bytes received but not yet read as a header (the start of a plain-text request, for one).
    var pendingBytes: Int { decoder.pendingByteCount }

    /// Receives once, adding what came to what is pending; false when the peer has closed.
    mutating func receiveMore() async throws -> Bool {
        let chunk = try await socket.receive(maxBytes: 1 << 16, timeout: timeout)
        if chunk.isEmpty { return false }
        decoder.append(chunk)
        return true
    }

    /// The first `count` pending bytes, left pending.
    mutating func peek(_ count: Int) -> [UInt8] {
        var copy = decoder
        return Array(copy.takeBytes(upTo: count))
    }

    /// Takes every pending byte.
    mutating func takePending() -> [UInt8] { Array(decoder.takeBytes(upTo: decoder.pendingByteCount)) }

    /// The next header's JSON; nil when the peer closed between headers.
    mutating func receiveHeader() async throws -> [UInt8]? {
        while true {
            if let frame = try decoder.next() { return frame.header }
            guard try await receiveMore() else {
                if decoder.pendingByteCount == 0 { return nil }
                throw FrameError.closedMidFrame(
                    received: decoder.pendingByteCount,
                    expected: decoder.expectedFrameSize ?? decoder.pendingByteCount + 1)
            }
        }
    }

    /// Sends one header.
    func send(_ header: [String: any Sendable]) async throws {
        try await socket.send(FileProtocol.frame(header), timeout: timeout)
    }

    /// Receives exactly `count` raw bytes, handing them to `body` in pieces as they come; throws
    /// `FileTransferError.cut` when the peer closes first (after `body` has had what did come).
    mutating func receiveBytes(_ count: Int64, into body: ([UInt8]) throws -> Void) async throws {
        var left = count
        while left > 0 {
            if decoder.pendingByteCount == 0 {
                guard try await receiveMore() else { throw FileTransferError.cut(received: count - left, of: count) }
            }
            let piece = decoder.takeBytes(upTo: Int(min(left, Int64(Int.max))))
            try body(Array(piece))
            left -= Int64(piece.count)
        }
    }

    /// Sends raw bytes.
    func sendBytes(_ bytes: [UInt8]) async throws {
        try await socket.send(bytes, timeout: timeout)
    }
}

/// A transfer that ended before its last byte.
enum FileTransferError: Error, CustomStringConvertible {
    case cut(received: Int64, of: Int64)

    var description: String {
        switch self {
        case .cut(let received, let total):
            "the connection closed after \(received) of \(total) bytes — resume the transfer to send the rest"
        }
    }
}
