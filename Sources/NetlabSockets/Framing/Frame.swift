import FoundationEssentials

/// One length-prefixed message, the fix for sticky packets [粘包] of seed 004 (lessons/07-sticky-packets.md).
///
/// On the wire: 4 bytes, the header's length as an unsigned big-endian number (Python's
/// `struct.pack('!I', n)`), then the header as UTF-8 JSON holding `total_size`, then `total_size`
/// bytes of payload. The receiver always knows how much to read next, however TCP cuts the stream.
public struct Frame: Sendable, Equatable {
    /// The header's JSON bytes, a JSON object with at least `total_size`.
    public var header: [UInt8]
    public var payload: [UInt8]

    public init(header: [UInt8], payload: [UInt8]) {
        self.header = header
        self.payload = payload
    }

    /// A frame whose header is `header` encoded as JSON (keys sorted, so frames are reproducible).
    public init(encoding header: some Encodable, payload: [UInt8]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.init(header: Array(try encoder.encode(header)), payload: payload)
    }

    /// The bytes to send: length, header, payload.
    public var bytes: [UInt8] {
        let length = UInt32(header.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + header + payload
    }

    /// The header decoded as `T`.
    public func decodeHeader<T: Decodable>(as type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(header))
        } catch {
            throw FrameError.headerFields(String(decoding: header.prefix(200), as: UTF8.self))
        }
    }
}

/// Why a byte stream is not a valid sequence of frames.
public enum FrameError: Error, Equatable, CustomStringConvertible {
    case headerTooLong(length: UInt32)
    case headerNotJSONObject(String)
    case badTotalSize(String)
    case payloadTooLarge(size: Int, limit: Int)
    case headerFields(String)
    case closedMidFrame(received: Int, expected: Int)

    public var description: String {
        switch self {
        case .headerTooLong(let length):
            "a frame header of \(length) bytes is longer than the 65536 allowed — is the length big-endian ('!I')?"
        case .headerNotJSONObject(let text):
            "a frame header is not a JSON object: \(text)"
        case .badTotalSize(let text):
            "a frame header's total_size is missing, negative or not a whole number: \(text)"
        case .payloadTooLarge(let size, let limit):
            "a frame announces \(size) bytes of payload, more than the \(limit) allowed"
        case .headerFields(let text):
            "a frame header lacks the fields this reply needs: \(text)"
        case .closedMidFrame(let received, let expected):
            "the connection closed in the middle of a frame, after \(received) of \(expected) bytes"
        }
    }
}
