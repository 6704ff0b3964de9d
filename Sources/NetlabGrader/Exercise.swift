import Foundation
import NetlabTopics

/// One exercise, read from `exercises/<id>/checks.json`: what the student writes and how it is checked.
///
/// Exercises are data: an instructor adds one by adding a folder, without recompiling netlab.
/// The format is described in exercises/README.md.
public struct Exercise: Sendable, Decodable {
    /// Whether the student writes the server (the grader is the client) or the client (the grader serves).
    public enum Kind: String, Sendable, Decodable {
        case server, client
    }

    /// The folder name, such as `tcp-timestamp-server`.
    public var id: String = ""
    public let title: String
    /// What the student writes, in a few words, for `netlab exercises`.
    public let writes: String
    public let kind: Kind
    public let transport: Transport
    /// netlab's own solution, as netlab arguments with `{host}` and `{port}`.
    public let reference: [String]
    /// For client exercises: how the grader's scripted server answers.
    public let server: ScriptedServer.Behaviour?
    /// Seconds a server program may take to start listening.
    public let listenTimeout: Double?
    /// Replies an `expect` or `expect_silence` step skips: optional notices a program may send, such as
    /// a chat server's join notices, that a program without them must not be marked down for.
    public let ignore: [Matcher]
    public let checks: [Check]

    /// The transport a program uses.
    public enum Transport: String, Sendable, Decodable {
        case tcp, udp
    }

    enum CodingKeys: String, CodingKey {
        case title, writes, kind, transport, reference, server, checks, ignore
        case listenTimeout = "listen_timeout"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decode(String.self, forKey: .title)
        writes = try container.decode(String.self, forKey: .writes)
        kind = try container.decode(Kind.self, forKey: .kind)
        transport = try container.decode(Transport.self, forKey: .transport)
        reference = try container.decode([String].self, forKey: .reference)
        server = try container.decodeIfPresent(ScriptedServer.Behaviour.self, forKey: .server)
        listenTimeout = try container.decodeIfPresent(Double.self, forKey: .listenTimeout)
        ignore = try container.decodeIfPresent([Matcher].self, forKey: .ignore) ?? []
        checks = try container.decode([Check].self, forKey: .checks)
        if checks.isEmpty {
            throw DecodingError.dataCorruptedError(
                forKey: .checks, in: container, debugDescription: "an exercise needs at least one check")
        }
        if let check = checks.first(where: { $0.visibility.map { !Check.visibilities.contains($0) } ?? false }) {
            throw DecodingError.dataCorruptedError(
                forKey: .checks, in: container,
                debugDescription:
                    "the check '\(check.name)' has visibility '\(check.visibility ?? "")'; "
                    + "use visible, hidden, after_due_date or after_published")
        }
        if let misuse = Self.firstMisuse(in: checks, kind: kind, transport: transport) {
            throw DecodingError.dataCorruptedError(forKey: .checks, in: container, debugDescription: misuse)
        }
        if let check = checks.first(where: { $0.points < 1 }) {
            throw DecodingError.dataCorruptedError(
                forKey: .checks, in: container,
                debugDescription: "the check '\(check.name)' is worth \(check.points) points; each is worth 1 or more")
        }
    }

    /// The first step that uses something no earlier step of its check made: a TCP connection never
    /// opened (or already closed), or a client's output before `run_client`. Said when the exercise is
    /// read, so one broken check fails loudly instead of aborting a grade half-way.
    static func firstMisuse(in checks: [Check], kind: Kind, transport: Transport) -> String? {
        let usesConnection: Set<Step.Action> = [.send, .expect, .expectClosed, .expectOpen, .expectSilence]
        let usesClient: Set<Step.Action> = [.expectReceived, .expectStdoutPayloads]
        for check in checks {
            var open: Set<String> = []
            var ranClient = false
            for (index, step) in check.steps.enumerated() {
                let name = step.client ?? "a"
                let place = "the check '\(check.name)', step \(index + 1) (\(step.action.rawValue))"
                switch step.action {
                case .connect: open.insert(name)
                case .close: open.remove(name)
                case .runClient: ranClient = true
                default: break
                }
                if kind == .server, transport == .tcp, usesConnection.contains(step.action), !open.contains(name) {
                    return "\(place) uses connection '\(name)', which no earlier connect step of that check opened"
                }
                let needsClient =
                    usesClient.contains(step.action)
                    || (kind == .client && (step.action == .expectOutput || step.action == .expectExit))
                if needsClient, !ranClient {
                    return "\(place) looks at the client before any run_client step of that check started it"
                }
            }
        }
        return nil
    }

    /// Total points of every check.
    public var maxScore: Int { checks.reduce(0) { $0 + $1.points } }

    /// Whether a check types on the program's standard input, which then stays open while it runs.
    public var typesInput: Bool {
        checks.contains { check in check.steps.contains { $0.action == .type || $0.action == .closeInput } }
    }

    /// Whether `reply` is one the checks skip (see `ignore`).
    func isIgnored(_ reply: String) -> Bool { ignore.contains { $0.matches(reply) } }

    /// What follows an ignored notice that `reply` starts with, when more follows it: two replies without
    /// line ends that arrived together (`[ctime] gus joined the room[ctime] ed: hello`); nil otherwise.
    func textAfterIgnoredNotice(_ reply: String) -> String? {
        for notice in ignore {
            if let end = notice.prefixEnd(in: reply), end < reply.endIndex { return String(reply[end...]) }
        }
        return nil
    }
}

/// One named check: a scenario of steps, worth some points, with a hint for when it fails.
public struct Check: Sendable, Decodable {
    public let name: String
    public let points: Int
    public let hint: String
    /// Seconds the whole check may take.
    public let timeout: Double?
    /// Who sees it on Gradescope: `visible` (the default), `hidden`, `after_due_date` or `after_published`.
    public let visibility: String?
    public let steps: [Step]

    /// The values Gradescope knows for a test's visibility.
    static let visibilities: Set<String> = ["visible", "hidden", "after_due_date", "after_published"]
}

/// One step of a check. `do` names the action; the other fields are its arguments.
public struct Step: Sendable, Decodable {
    public enum Action: String, Sendable, Decodable {
        /// TCP: open a connection as `client`.
        case connect
        /// Send `text` (TCP on the connection, UDP as a datagram from `client`'s socket).
        case send
        /// Receive one reply on `client` and match it.
        case expect
        /// The program closes `client`'s connection within `within` seconds.
        case expectClosed = "expect_closed"
        /// The connection stays open (and quiet or not) for `within` seconds.
        case expectOpen = "expect_open"
        /// Nothing arrives on `client` for `within` seconds.
        case expectSilence = "expect_silence"
        /// Close `client`'s connection or socket: TCP, an orderly close (the program reads end of stream),
        /// or with `reset`, a reset (its next receive fails with ECONNRESET).
        case close
        /// Wait `seconds`.
        case sleep
        /// Wait until the program has read everything sent to it and closed the connections the grader
        /// closed, then a moment for it to act on them; at most `seconds` (default 0.5).
        case settle
        /// The program under test is still running.
        case expectRunning = "expect_running"
        /// Server exercises: the program uses at most `cpu_seconds` of CPU time over the next `seconds`
        /// (default 1), as a program with nothing to do should: a loop spinning on `recv() == b''` fails.
        case expectIdle = "expect_idle"
        /// Server exercises: stop the program under test (SIGTERM, then SIGKILL to its group).
        case stop
        /// Server exercises: start the program under test again and wait until it listens.
        case start
        /// Client exercises: run the student's client with `stdin`, against the scripted server.
        case runClient = "run_client"
        /// Client exercises: the client's printed lines match `lines`, in order.
        case expectOutput = "expect_output"
        /// Client exercises: the scripted server received `lines`, in order.
        case expectReceived = "expect_received"
        /// Client exercises: the client exits with `status` within `within` seconds.
        case expectExit = "expect_exit"
        /// Server exercises: make a file `name` holding `text` in the program's folder.
        case createFile = "create_file"
        /// Framed-client exercise: the client printed on stdout exactly the stdout payloads of the
        /// replies of its `run_client` step, in order, byte for byte.
        case expectStdoutPayloads = "expect_stdout_payloads"
        /// Server exercises: type `text` and a newline on the program's standard input.
        case type
        /// Server exercises: close the program's standard input (end of input, Ctrl-D).
        case closeInput = "close_input"
    }

    public let action: Action
    public let client: String?
    public let text: String?
    public let match: Matcher?
    public let within: Double?
    public let seconds: Double?
    public let stdin: String?
    /// For `run_client`: what `{host}` becomes (default 127.0.0.1), to check a client takes a name.
    public let host: String?
    /// For `run_client`: the loopback address the scripted server listens on (default 127.0.0.1).
    public let serverHost: String?
    public let lines: [Matcher]?
    public let status: Int32?
    public let name: String?
    /// For `run_client` with a frame server: the replies, one per request.
    public let replies: [ScriptedReply]?
    /// For `expect`: the reply must also end in a line end, as the message sent before it did.
    public let lineEnd: Bool
    /// For `expect_idle`: the most CPU time the program may use meanwhile, in seconds.
    public let cpuSeconds: Double?
    /// For `close`: reset the connection (RST) instead of closing it in order (FIN).
    public let reset: Bool

    enum CodingKeys: String, CodingKey {
        case action = "do"
        case client, text, within, seconds, stdin, host, lines, status
        case serverHost = "server_host"
        case name, replies
        case lineEnd = "line_end"
        case cpuSeconds = "cpu_seconds"
        case reset
        case exact, regex, timestamp, ctime, contains, json
        case currentTime = "current_time"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        replies = try container.decodeIfPresent([ScriptedReply].self, forKey: .replies)
        lineEnd = try container.decodeIfPresent(Bool.self, forKey: .lineEnd) ?? false
        cpuSeconds = try container.decodeIfPresent(Double.self, forKey: .cpuSeconds)
        reset = try container.decodeIfPresent(Bool.self, forKey: .reset) ?? false
        action = try container.decode(Action.self, forKey: .action)
        client = try container.decodeIfPresent(String.self, forKey: .client)
        text = try container.decodeIfPresent(String.self, forKey: .text)
        within = try container.decodeIfPresent(Double.self, forKey: .within)
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds)
        stdin = try container.decodeIfPresent(String.self, forKey: .stdin)
        host = try container.decodeIfPresent(String.self, forKey: .host)
        serverHost = try container.decodeIfPresent(String.self, forKey: .serverHost)
        lines = try container.decodeIfPresent([Matcher].self, forKey: .lines)
        status = try container.decodeIfPresent(Int32.self, forKey: .status)
        match = try Matcher(from: decoder, required: action == .expect)
    }
}

/// How a reply is judged: exactly, by a regular expression, or as a timestamp reply.
public enum Matcher: Sendable, Decodable, CustomStringConvertible {
    /// The reply, without its line end, is exactly this.
    case exact(String)
    /// The whole reply, without its line end, matches this regular expression.
    case regex(String)
    /// The reply is `[ctime] text`, with a ctime within a few seconds of now.
    case timestamp(String)
    /// The reply is the current time in ctime form, within a few seconds of now (`date` of 16-5).
    case ctime
    /// The reply is the current date and time in a common form: ctime, ISO 8601, RFC 2822 ... (daytime).
    case currentTime
    /// The reply contains this text.
    case contains(String)
    /// The reply is JSON equal to this JSON text (spacing and key order aside).
    case json(String)
    /// The reply is a JSON array of the names in the program's folder, sorted, hidden names such as
    /// `.tmp` listed or not. The grader reads the names when the step runs (`listingNames`).
    case folderListing([String])

    private enum Keys: String, CodingKey {
        case exact, regex, timestamp, ctime, contains, json
        case currentTime = "current_time"
        case folderListing = "folder_listing"
    }

    init?(from decoder: any Decoder, required: Bool) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        if let text = try container.decodeIfPresent(String.self, forKey: .exact) {
            self = .exact(text)
        } else if let pattern = try container.decodeIfPresent(String.self, forKey: .regex) {
            do {
                _ = try Regex(pattern)
            } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: .regex, in: container,
                    debugDescription: "'\(pattern)' is not a regular expression (\(error))")
            }
            self = .regex(pattern)
        } else if let text = try container.decodeIfPresent(String.self, forKey: .timestamp) {
            self = .timestamp(text)
        } else if try container.decodeIfPresent(Bool.self, forKey: .ctime) == true {
            self = .ctime
        } else if try container.decodeIfPresent(Bool.self, forKey: .currentTime) == true {
            self = .currentTime
        } else if let text = try container.decodeIfPresent(String.self, forKey: .contains) {
            self = .contains(text)
        } else if let text = try container.decodeIfPresent(String.self, forKey: .json) {
            guard Self.canonicalJSON(text) != nil else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "json must hold JSON text"))
            }
            self = .json(text)
        } else if try container.decodeIfPresent(Bool.self, forKey: .folderListing) == true {
            self = .folderListing([])
        } else if required {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "an expect step needs exact, regex, timestamp, ctime, current_time, contains, json or folder_listing"
                ))
        } else {
            return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        self = try Matcher(from: decoder, required: true)!
    }

    /// Where the longest start of `text` that this matcher's `regex` or `exact` text matches ends; nil
    /// when no start of it matches (or the matcher is of another kind).
    func prefixEnd(in text: String) -> String.Index? {
        switch self {
        case .exact(let expected):
            text.hasPrefix(expected) ? text.index(text.startIndex, offsetBy: expected.count) : nil
        case .regex(let pattern): (try? Regex(pattern).prefixMatch(in: text))?.range.upperBound
        default: nil
        }
    }

    /// Whether `reply` (without its line end) passes, judged at time `now`.
    public func matches(_ reply: String, now: Date = Date()) -> Bool {
        switch self {
        case .exact(let text): return reply == text
        case .regex(let pattern): return (try? Regex(pattern).wholeMatch(in: reply)) != nil
        case .contains(let text): return reply.contains(text)
        case .timestamp(let text):
            guard reply.hasPrefix("["), let close = reply.firstIndex(of: "]") else { return false }
            let stamp = String(reply[reply.index(after: reply.startIndex)..<close])
            let rest = reply[reply.index(after: close)...]
            return TimeCheck.isNearCTime(stamp, now: now) && (rest == " " + text)
        case .ctime:
            return TimeCheck.isNearCTime(reply.trimmingCharacters(in: .whitespaces), now: now)
        case .currentTime:
            return TimeCheck.isNearDateTime(reply.trimmingCharacters(in: .whitespaces), now: now)
        case .json(let text):
            return Self.canonicalJSON(reply).map { $0 == Self.canonicalJSON(text) } ?? false
        case .folderListing(let names):
            let listed = (try? JSONSerialization.jsonObject(with: Data(reply.utf8))) as? [String]
            let all = names.sorted()
            return listed == all || listed == all.filter { !$0.hasPrefix(".") }
        }
    }

    /// A `folder_listing` matcher with the names now in `folder`; any other matcher as it is.
    func listingNames(in folder: String) -> Matcher {
        guard case .folderListing = self else { return self }
        return .folderListing((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
    }

    /// The time now in ISO 8601 form, local time with its offset, for a failure message.
    private static func isoNow() -> String {
        TimeCheck.englishFormatter("yyyy-MM-dd'T'HH:mm:ssXXXXX").string(from: Date())
    }

    /// JSON text re-encoded with sorted keys and no spaces, so equal values compare equal.
    static func canonicalJSON(_ text: String) -> Data? {
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            return nil
        }
        return try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }

    public var description: String {
        switch self {
        case .exact(let text): "'\(text)'"
        case .regex(let pattern): "a reply matching /\(pattern)/"
        case .timestamp(let text): "'[<ctime now>] \(text)'"
        case .ctime: "the current time in ctime form, like '\(CTime.now())'"
        case .currentTime: "the current date and time, like '\(CTime.now())' or '\(Self.isoNow())'"
        case .contains(let text): "a reply containing '\(text)'"
        case .json(let text): "the JSON \(text)"
        case .folderListing(let names):
            "the folder's names as a sorted JSON array, \(Self.jsonArray(names.sorted().filter { !$0.hasPrefix(".") }))"
        }
    }

    private static func jsonArray(_ names: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: names, options: [.withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
