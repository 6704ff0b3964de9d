import FoundationEssentials

/// Cuts frames out of a byte stream, however it arrives: byte by byte, several frames at once,
/// or a header split across reads. Feed it bytes with `append`, take frames with `next`.
public struct FrameDecoder: Sendable {
    /// The longest header accepted: a longer one means the stream is not what we think.
    public static let maxHeaderBytes = 64 * 1024

    public let maxPayloadBytes: Int
    /// Whether a frame's header says how many payload bytes follow (`total_size`); when not, frames are
    /// headers alone, and what follows one is for the protocol to read (`takeBytes`), as the file server's
    /// uploads and downloads do.
    public let headersCarrySize: Bool
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maxPayloadBytes: Int = 1 << 30, headersCarrySize: Bool = true) {
        self.maxPayloadBytes = maxPayloadBytes
        self.headersCarrySize = headersCarrySize
    }

    /// Takes up to `count` bytes received after the last frame (headers-only frames).
    public mutating func takeBytes(upTo count: Int) -> ArraySlice<UInt8> {
        let end = start + min(count, pendingByteCount)
        defer {
            start = end
            if start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
        }
        return buffer[start..<end]
    }

    /// Bytes received but not yet part of a whole frame.
    public var pendingByteCount: Int { buffer.count - start }

    /// How many bytes the frame being received needs in all, once its header is known.
    public var expectedFrameSize: Int? {
        guard pendingByteCount >= 4 else { return nil }
        let length = Int(headerLength)
        guard pendingByteCount >= 4 + length, let size = try? totalSize(headerAt: start + 4, length: length),
            size <= maxPayloadBytes
        else {
            return nil  // a size beyond the limit is refused by `next`, and must not overflow here
        }
        return 4 + length + size
    }

    public mutating func append(_ bytes: [UInt8]) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer += bytes
    }

    /// The next whole frame, or nil until more bytes arrive. Throws on a stream that cannot be frames.
    public mutating func next() throws -> Frame? {
        guard pendingByteCount >= 4 else { return nil }
        let length = headerLength
        guard length <= Self.maxHeaderBytes else { throw FrameError.headerTooLong(length: length) }
        let headerStart = start + 4
        guard pendingByteCount >= 4 + Int(length) else { return nil }
        let size = try totalSize(headerAt: headerStart, length: Int(length))
        guard size <= maxPayloadBytes else { throw FrameError.payloadTooLarge(size: size, limit: maxPayloadBytes) }
        let payloadStart = headerStart + Int(length)
        guard buffer.count - payloadStart >= size else { return nil }
        let frame = Frame(
            header: Array(buffer[headerStart..<payloadStart]),
            payload: Array(buffer[payloadStart..<payloadStart + size]))
        start = payloadStart + size
        if start > 1 << 20 {
            buffer.removeSubrange(..<start)
            start = 0
        }
        return frame
    }

    private var headerLength: UInt32 {
        buffer[start..<start + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    private func totalSize(headerAt index: Int, length: Int) throws -> Int {
        let bytes = buffer[index..<index + length]
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        guard (try? JSONDecoder().decode([String: AnyJSONValue].self, from: Data(bytes))) != nil else {
            throw FrameError.headerNotJSONObject(text)
        }
        if !headersCarrySize { return 0 }
        guard let field = try? JSONDecoder().decode(TotalSize.self, from: Data(bytes)), field.totalSize >= 0 else {
            throw FrameError.badTotalSize(text)
        }
        return field.totalSize
    }
}

/// Any JSON value, read and dropped: decoding `[String: AnyJSONValue]` asks only "is this a JSON object?".
private struct AnyJSONValue: Decodable {
    init(from decoder: any Decoder) {}
}

/// The one header field every frame has.
private struct TotalSize: Decodable {
    let totalSize: Int
    enum CodingKeys: String, CodingKey { case totalSize = "total_size" }
}

extension Socket {
    /// Reads the next frame through `decoder`; nil when the peer closed cleanly between frames.
    public func receiveFrame(using decoder: inout FrameDecoder, timeout: Duration? = nil) async throws -> Frame? {
        while true {
            if let frame = try decoder.next() { return frame }
            let chunk = try await receive(timeout: timeout)
            if chunk.isEmpty {
                if decoder.pendingByteCount == 0 { return nil }
                throw FrameError.closedMidFrame(
                    received: decoder.pendingByteCount,
                    expected: decoder.expectedFrameSize ?? decoder.pendingByteCount + 1)
            }
            decoder.append(chunk)
        }
    }
}
