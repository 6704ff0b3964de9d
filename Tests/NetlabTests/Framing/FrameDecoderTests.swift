import Foundation
import NetlabSockets
import Testing

@Suite("Frame decoder", .machineShare)
struct FrameDecoderTests {
    private let frames: [Frame] = [
        try! Frame(encoding: ["total_size": 5], payload: Array("hello".utf8)),
        try! Frame(encoding: ["total_size": 0], payload: []),
        try! Frame(encoding: ["total_size": 300], payload: (0..<300).map { UInt8($0 % 251) }),
    ]

    private func decode(_ chunks: [[UInt8]]) throws -> [Frame] {
        var decoder = FrameDecoder()
        var result: [Frame] = []
        for chunk in chunks {
            decoder.append(chunk)
            while let frame = try decoder.next() { result.append(frame) }
        }
        #expect(decoder.pendingByteCount == 0)
        return result
    }

    @Test("a frame is a 4-byte big-endian length, the JSON header, then the payload")
    func wireFormat() {
        let frame = frames[0]
        #expect(frame.bytes == [0, 0, 0, 16] + Array(#"{"total_size":5}hello"#.utf8))
    }

    @Test("the same stream split at every possible point gives the same frames")
    func everySplitPoint() throws {
        let stream = frames.flatMap(\.bytes)
        for cut in 0...stream.count {
            #expect(try decode([Array(stream[..<cut]), Array(stream[cut...])]) == frames, "cut at \(cut)")
        }
        for first in stride(from: 0, through: stream.count, by: 7) {
            for second in stride(from: first, through: stream.count, by: 13) {
                let chunks = [Array(stream[..<first]), Array(stream[first..<second]), Array(stream[second...])]
                #expect(try decode(chunks) == frames, "cuts at \(first) and \(second)")
            }
        }
    }

    @Test("byte by byte, and all frames in one write, give the same frames")
    func byteByByteAndAllAtOnce() throws {
        let stream = frames.flatMap(\.bytes)
        #expect(try decode(stream.map { [$0] }) == frames)
        #expect(try decode([stream]) == frames)
    }

    /// A frame whose 4-byte length is `length`, followed by `header` as it is.
    private static func stream(length: UInt32, _ header: String) -> [UInt8] {
        [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + Array(header.utf8)
    }

    static let badStreams: [([UInt8], String)] = [
        (stream(length: 0x0001_0001, "        "), "longer than the 65536 allowed"),
        (stream(length: 2, "[]"), "is not a JSON object"),
        (stream(length: 17, #"{"total_size":-1}"#), "missing, negative or not a whole number"),
        (stream(length: 21, #"{"total_size":"five"}"#), "missing, negative or not a whole number"),
        (stream(length: 10, #"{"size":5}"#), "missing, negative or not a whole number"),
        (stream(length: 19, #"{"total_size":true}"#), "missing, negative or not a whole number"),
        (stream(length: 4, "") + [0xFF, 0xFE, 0x7B, 0x7D], "is not a JSON object"),
    ]

    @Test("streams that cannot be frames are refused with a reason", arguments: badStreams)
    func refused(bytes: [UInt8], reason: String) {
        var decoder = FrameDecoder()
        decoder.append(bytes)
        #expect {
            _ = try decoder.next()
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    @Test("the seed's native-endian length, read as big-endian, is refused instead of read as garbage")
    func littleEndianLength() {
        // struct.pack('i', 16) on a little-endian machine: 10 00 00 00 — 268435456 as big-endian.
        var decoder = FrameDecoder()
        decoder.append([16, 0, 0, 0] + Array(#"{"total_size":5}hello"#.utf8))
        #expect(throws: FrameError.headerTooLong(length: 268_435_456)) { try decoder.next() }
    }

    @Test("a connection closed in the middle of a frame is an error, between frames the end", .tags(.integration))
    func closedMidFrame() async throws {
        let (sender, receiver) = try await loopbackPair()
        defer { receiver.close() }
        try await sender.send(frames[0].bytes + Array(frames[2].bytes.prefix(50)))
        sender.close()
        var decoder = FrameDecoder()
        #expect(try await receiver.receiveFrame(using: &decoder, timeout: .seconds(5)) == frames[0])
        await #expect(throws: FrameError.closedMidFrame(received: 50, expected: frames[2].bytes.count)) {
            _ = try await receiver.receiveFrame(using: &decoder, timeout: .seconds(5))
        }
    }
}
