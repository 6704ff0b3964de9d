import Testing

@testable import NetlabSockets

/// A clock that moves only when the test says so: the pause rules checked without a socket or a sleep.
private struct FakeClock {
    private let origin = ContinuousClock.now
    private(set) var elapsed: Duration = .zero
    var now: ContinuousClock.Instant { origin + elapsed }
    mutating func advance(_ duration: Duration) { elapsed += duration }
}

/// Feeds a decoder bytes at made-up times and collects what it hands out.
private struct Feed {
    var decoder: LineDecoder
    var clock = FakeClock()
    var messages: [Message] = []

    init(maxLineBytes: Int = 100, pause: Duration? = .milliseconds(300), locksToLines: Bool = true) {
        decoder = LineDecoder(maxLineBytes: maxLineBytes, pause: pause, locksToLines: locksToLines)
    }

    /// Bytes arrive now; every message they complete is taken.
    mutating func arrive(_ text: String) { arrive(Array(text.utf8)) }

    mutating func arrive(_ bytes: [UInt8]) {
        decoder.append(bytes)
        drain()
    }

    /// Time passes with nothing arriving; a message a pause ends is taken at its pause end, as the reader would.
    mutating func wait(_ duration: Duration) {
        let end = clock.now + duration
        while case .waitForBytes(let pauseEnd?) = decoder.next(at: clock.now), pauseEnd <= end {
            clock.advance(pauseEnd - clock.now)
            drain()
        }
        clock.advance(end - clock.now)
        drain()
    }

    /// The peer closes.
    mutating func close() {
        decoder.finish()
        drain()
    }

    mutating func drain() {
        while case .message(let message) = decoder.next(at: clock.now) { messages.append(message) }
    }

    var strings: [String] { messages.map(\.string) }
    var endings: [Message.Ending] { messages.map(\.ending) }
}

@Suite("Line decoder: the pause rules on a made-up clock", .machineShare)
struct LineDecoderTests {
    @Test("all at once, byte by byte, or one line per read: the same lines and line ends")
    func sameLinesHoweverSplit() {
        let text = "first\nsecond\r\nthird\n"
        var whole = Feed()
        whole.arrive(text)
        var bytes = Feed()
        for byte in text.utf8 { bytes.arrive([byte]) }
        var lines = Feed()
        for line in ["first\n", "second\r\n", "third\n"] { lines.arrive(line) }
        for feed in [whole, bytes, lines] {
            #expect(feed.strings == ["first", "second", "third"])
            #expect(feed.messages.map(\.terminator) == [[10], [13, 10], [10]])
            #expect(feed.endings == [.lineEnd, .lineEnd, .lineEnd])
        }
    }

    @Test("bytes without a line end end a message after the pause, not a moment before")
    func pauseEndsAMessage() {
        var feed = Feed()
        feed.arrive("no newline")
        feed.wait(.milliseconds(299))
        #expect(feed.messages.isEmpty)
        feed.wait(.milliseconds(1))
        #expect(feed.strings == ["no newline"])
        #expect(feed.endings == [.pause])
    }

    @Test("the pause counts from the last bytes: a message sent in pieces closer than the pause is one")
    func pauseRestartsOnEachArrival() {
        var feed = Feed()
        feed.arrive("hel")
        feed.wait(.milliseconds(200))
        feed.arrive("lo")
        feed.wait(.milliseconds(200))
        #expect(feed.messages.isEmpty)
        feed.wait(.milliseconds(100))
        #expect(feed.strings == ["hello"])
    }

    @Test("the decoder names the instant the pause ends, for the reader's receive deadline")
    func reportsThePauseEnd() {
        var decoder = LineDecoder(pause: .milliseconds(300))
        let start = ContinuousClock.now
        #expect(decoder.next(at: start) == .waitForBytes(pauseEnd: nil))
        decoder.append(Array("hi".utf8))
        #expect(decoder.next(at: start) == .waitForBytes(pauseEnd: start + .milliseconds(300)))
        #expect(decoder.next(at: start + .milliseconds(300)) == .message(Message(text: Array("hi".utf8))))
    }

    @Test("no pause at all (nil): only line ends and the close end messages")
    func noPause() {
        var feed = Feed(pause: nil)
        feed.arrive("partial")
        feed.wait(.seconds(3600))
        #expect(feed.messages.isEmpty)
        feed.close()
        #expect(feed.strings == ["partial"])
        #expect(feed.endings == [.closed])
    }

    @Test("once a peer has ended a line, a line sent in pieces with pauses between stays one message")
    func linesAfterALineEnd() {
        var feed = Feed()
        feed.arrive("hello\nrm notes")
        feed.wait(.seconds(5))
        feed.arrive(".bak\n")
        #expect(feed.strings == ["hello", "rm notes.bak"])
        #expect(feed.endings == [.lineEnd, .lineEnd])
    }

    @Test("after forgetLineEnds (a chat login), a pause ends a message again until the next line end")
    func forgetLineEnds() {
        var feed = Feed()
        feed.arrive("alice lobby\n")
        feed.decoder.forgetLineEnds()
        feed.arrive("hi")
        feed.wait(.milliseconds(600))
        feed.arrive("there\nsplit ")
        feed.wait(.milliseconds(600))
        feed.arrive("line\n")
        #expect(feed.strings == ["alice lobby", "hi", "there", "split line"])
        #expect(feed.endings == [.lineEnd, .pause, .lineEnd, .lineEnd])
    }

    @Test("a reader that only shows its peer's lines (locksToLines false) still ends messages at pauses")
    func clientSideDecoder() {
        var feed = Feed(locksToLines: false)
        feed.arrive("Welcome\nHello")
        feed.wait(.milliseconds(600))
        feed.arrive("World\n")
        #expect(feed.strings == ["Welcome", "Hello", "World"])
        #expect(feed.decoder.sendsLines)
    }

    @Test("a message of exactly the maximum, then a pause, is one whole message, not an overlong one")
    func exactlyTheMaximum() {
        var feed = Feed(maxLineBytes: 100)
        feed.arrive([UInt8](repeating: 121, count: 100))
        #expect(feed.messages.isEmpty)
        feed.wait(.milliseconds(600))
        feed.arrive("os\n")
        #expect(feed.messages.map(\.text.count) == [100, 2])
        #expect(feed.endings == [.pause, .lineEnd])
    }

    @Test("a line longer than the maximum comes out in pieces marked overlong, never more than the maximum")
    func overlongLine() {
        var feed = Feed(maxLineBytes: 100)
        feed.arrive([UInt8](repeating: 65, count: 250) + [10])
        #expect(feed.messages.map(\.text.count) == [100, 100, 50])
        #expect(feed.endings == [.overlong, .overlong, .lineEnd])
    }

    @Test("an overlong line ends only at its line end: a pause inside it ends nothing")
    func overlongLineIgnoresPauses() {
        var feed = Feed(maxLineBytes: 100)
        feed.arrive([UInt8](repeating: 120, count: 101))
        feed.wait(.seconds(5))
        feed.arrive("rm x\nnext\n")
        #expect(feed.endings == [.overlong, .overlong, .lineEnd, .lineEnd])
        #expect(feed.messages.map(\.text.count) == [100, 1, 4, 4])
        #expect(feed.messages.last?.string == "next")
    }

    @Test("a line of the maximum plus its CRLF is one line, not overlong")
    func maximumWithLineEnd() {
        var feed = Feed(maxLineBytes: 100)
        feed.arrive([UInt8](repeating: 66, count: 100) + [13, 10])
        #expect(feed.messages.map(\.text.count) == [100])
        #expect(feed.endings == [.lineEnd])
    }

    @Test("a pause never cuts a UTF-8 character in two; a lone first byte waits for the rest")
    func pauseKeepsCharactersWhole() {
        let word = Array("héllo".utf8)  // h, then é as C3 A9
        var feed = Feed()
        feed.arrive(Array(word[..<2]))
        feed.wait(.milliseconds(600))
        #expect(feed.strings == ["h"])
        feed.wait(.seconds(60))
        #expect(feed.strings == ["h"], "a cut character alone is never a message")
        feed.arrive(Array(word[2...]))
        feed.wait(.milliseconds(600))
        #expect(feed.strings == ["h", "éllo"])
    }

    @Test("the length of a character cut at the end of the bytes")
    func unfinishedCharacterLength() {
        #expect(LineDecoder.unfinishedCharacterLength(ArraySlice(Array("中".utf8).prefix(2))) == 2)
        #expect(LineDecoder.unfinishedCharacterLength(ArraySlice(Array("中".utf8))) == 0)
        #expect(LineDecoder.unfinishedCharacterLength(ArraySlice([0x61, 0xF0, 0x9F])) == 2)
        #expect(LineDecoder.unfinishedCharacterLength(ArraySlice([0xFF])) == 0)
    }

    @Test("what is left when the peer closes is the last message, then the end")
    func leftoverAtClose() {
        var feed = Feed()
        feed.arrive("one\ntwo")
        feed.close()
        #expect(feed.strings == ["one", "two"])
        #expect(feed.endings == [.lineEnd, .closed])
        #expect(feed.decoder.next(at: feed.clock.now) == .end)
    }

    @Test("non-UTF-8 bytes pass through untouched")
    func binaryBytes() {
        var feed = Feed()
        feed.arrive([0xFF, 0xFE, 0x00, 10])
        #expect(feed.messages.map(\.text) == [[0xFF, 0xFE, 0x00]])
    }
}
