import Foundation
import NetlabProcesses
import NetlabSockets
import Synchronization

/// Fan-out in chat rooms: many clients log in, a few of them send, and every other client in the
/// sender's room counts the lines it receives.
///
/// Each sender keeps one message in flight: it sends a line, waits until the last receiver in its room
/// has it (that wait is the message's latency), then sends the next. So `inFlight` senders keep that
/// many messages in flight. A delivery is one complete line received by one receiver; a server that
/// relays unframed chunks is counted by its complete lines too. The same generator measures every
/// server (benchmarks/chat.sh), whatever it puts before the text: `[ctime] user0: `, `<user0> `, ...
package struct FanoutBenchmark: Sendable {
    /// How a client joins: `userK roomR` and a `success` answer (16-9/10), or nothing at all
    /// (`ncat --chat`, SwiftNIO's NIOChatServer: every client is in one room).
    package enum Login: String, Sendable, Encodable, CaseIterable {
        case rooms, none
    }

    let host: String
    let port: Int
    let clients: Int
    let rooms: Int
    let login: Login
    /// The phases: how many messages are in flight in each.
    let inFlight: [Int]
    let duration: Duration
    let warmup: Duration
    /// The most messages one phase sends, whatever the duration.
    let maxMessages: Int
    /// The length of each message's text, line end not counted.
    let messageBytes: Int
    let serverPID: Int32?

    package init(
        host: String, port: Int, clients: Int, rooms: Int, login: Login, inFlight: [Int], duration: Duration,
        warmup: Duration, maxMessages: Int, messageBytes: Int, serverPID: Int32?
    ) {
        self.host = host
        self.port = port
        self.clients = clients
        self.rooms = rooms
        self.login = login
        self.inFlight = inFlight
        self.duration = duration
        self.warmup = warmup
        self.maxMessages = maxMessages
        self.messageBytes = messageBytes
        self.serverPID = serverPID
    }

    /// A message whose last receiver has not got it after this long is counted as lost.
    static let lossTimeout: Duration = .seconds(5)
    /// What marks the benchmark's lines among the server's notices: `~fanout SENDER SEQUENCE xxx…`.
    static let marker = Array("~fanout ".utf8)

    package struct Phase: Sendable, Encodable {
        package let inFlight: Int
        package let seconds: Double
        package let messages: Int
        package let lost: Int
        package let deliveries: Int
        package let deliveriesPerSecond: Double
        package let p50Microseconds: Double
        package let p99Microseconds: Double
        package let maxMicroseconds: Double

        enum CodingKeys: String, CodingKey {
            case seconds, messages, lost, deliveries
            case inFlight = "in_flight"
            case deliveriesPerSecond = "deliveries_per_second"
            case p50Microseconds = "p50_us"
            case p99Microseconds = "p99_us"
            case maxMicroseconds = "max_us"
        }
    }

    package struct Result: Sendable, Encodable {
        package let clients: Int
        package let rooms: Int
        package let login: Login
        package let receiversPerMessage: Int
        package let connectSeconds: Double
        package let serverRSSBeforeKiB: Int?
        package let serverRSSWithClientsKiB: Int?
        package let phases: [Phase]

        enum CodingKeys: String, CodingKey {
            case clients, rooms, login, phases
            case receiversPerMessage = "receivers_per_message"
            case connectSeconds = "connect_seconds"
            case serverRSSBeforeKiB = "server_rss_before_kib"
            case serverRSSWithClientsKiB = "server_rss_with_clients_kib"
        }

        package var lost: Int { phases.reduce(0) { $0 + $1.lost } }
    }

    /// The room client `index` joins; senders are clients 0, 1, 2, ..., so they spread over the rooms.
    func room(of index: Int) -> Int { index % rooms }

    /// How many clients are in a room.
    func size(ofRoom room: Int) -> Int { clients / rooms + (room < clients % rooms ? 1 : 0) }

    package func run() async throws -> Result {
        Socket.raiseOpenFileLimit()
        let tracker = Tracker(senders: inFlight.max() ?? 1)
        let rssBefore = serverPID.flatMap(ProcessUsage.residentKiB)
        let connectStart = ContinuousClock.now
        var sockets: [Socket] = []
        sockets.reserveCapacity(clients)
        var rssWith: Int?
        var connectSeconds = 0.0
        var phases: [Phase] = []
        // One watchdog for the whole run: a message still missing a receiver after `lossTimeout` is lost.
        let watchdog = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(100))
                tracker.giveUp(sentBefore: .now - Self.lossTimeout)
            }
        }
        defer { watchdog.cancel() }
        try await withThrowingDiscardingTaskGroup { group in
            // Each client reads from the moment it has joined, so the join notices never pile up.
            defer { for socket in sockets { socket.disconnect() } }
            for index in 0..<clients {
                let socket = try await Socket.connected(host: host, port: port, kind: .tcp, timeout: .seconds(10))
                sockets.append(socket)
                let early = try await logIn(socket, index: index)
                group.addTask(executorPreference: socket.loop) {
                    await Self.read(socket, as: index, from: early, tracker: tracker)
                }
            }
            connectSeconds = (ContinuousClock.now - connectStart).seconds
            try await settle(sockets, tracker: tracker)
            rssWith = serverPID.flatMap(ProcessUsage.residentKiB)
            for count in inFlight {
                phases.append(try await measure(inFlight: count, sockets: sockets, tracker: tracker))
            }
        }
        return Result(
            clients: clients, rooms: rooms, login: login, receiversPerMessage: size(ofRoom: 0) - 1,
            connectSeconds: connectSeconds,
            serverRSSBeforeKiB: rssBefore, serverRSSWithClientsKiB: rssWith, phases: phases)
    }

    /// Logs a client in; returns what came after the `success` line (nothing, for `--login none`).
    private func logIn(_ socket: Socket, index: Int) async throws -> [UInt8] {
        guard login == .rooms else { return [] }
        try await socket.send("user\(index) room\(room(of: index))\n")
        var buffer: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let answer = String(decoding: buffer[..<newline], as: UTF8.self)
                guard answer.hasPrefix("success") else {
                    throw RuntimeError("user\(index) was refused: the server answered '\(answer)' instead of 'success'")
                }
                return Array(buffer[(newline + 1)...])
            }
            do {
                if try await socket.receive(appendingTo: &buffer, deadline: deadline) == 0 {
                    throw RuntimeError("the server closed user\(index)'s connection before answering its login")
                }
            } catch is WaitTimeout {
                throw RuntimeError(
                    "no answer to user\(index)'s login within 10 s; is it a rooms server? (try --login none)")
            }
        }
    }

    /// Waits until a first message reaches everyone in each sender's room: every client is then
    /// known to the server (a server without login may not have accepted the last ones yet).
    private func settle(_ sockets: [Socket], tracker: Tracker) async throws {
        let senders = min(inFlight.max() ?? 1, clients)
        for _ in 0..<5 {
            var everyoneGotIt = true
            for sender in 0..<senders {
                let delivered = try await sendMessage(from: sender, sockets: sockets, tracker: tracker)
                everyoneGotIt = everyoneGotIt && delivered
            }
            if everyoneGotIt { return }
        }
        throw RuntimeError("the first messages never reached every client of their room; is every client in one room?")
    }

    /// Sends one message from a sender and waits for its fan-out; false when it was lost.
    private func sendMessage(from sender: Int, sockets: [Socket], tracker: Tracker) async throws -> Bool {
        let sequence = tracker.start(sender: sender, receivers: size(ofRoom: room(of: sender)) - 1)
        try await sockets[sender].send(line(from: sender, sequence: sequence))
        return await tracker.waitForFanout(of: sender)
    }

    /// `~fanout SENDER SEQUENCE xxxx…\n`, `messageBytes` long before the line end.
    private func line(from sender: Int, sequence: Int) -> [UInt8] {
        var bytes = Self.marker + Array("\(sender) \(sequence) ".utf8)
        if bytes.count < messageBytes { bytes += repeatElement(UInt8(ascii: "x"), count: messageBytes - bytes.count) }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// One phase: `count` senders, each with one message in flight, for the duration or `maxMessages`.
    private func measure(inFlight count: Int, sockets: [Socket], tracker: Tracker) async throws -> Phase {
        let measureFrom = ContinuousClock.now + warmup
        let end = measureFrom + duration
        tracker.beginPhase(measuringFrom: measureFrom, until: end, maxMessages: maxMessages)
        try await withThrowingDiscardingTaskGroup { group in
            for sender in 0..<min(count, clients) {
                group.addTask(executorPreference: sockets[sender].loop) {
                    while ContinuousClock.now < end, tracker.mayStartAnother() {
                        _ = try await sendMessage(from: sender, sockets: sockets, tracker: tracker)
                    }
                }
            }
        }
        let finished = ContinuousClock.now  // before `end` when `maxMessages` ran out first
        let tally = tracker.endPhase()
        let elapsed = max((min(finished, end) - measureFrom).seconds, 0.001)
        return Phase(
            inFlight: count, seconds: elapsed, messages: tally.histogram.total, lost: tally.lost,
            deliveries: tally.deliveries, deliveriesPerSecond: Double(tally.deliveries) / elapsed,
            p50Microseconds: tally.histogram.percentile(0.5), p99Microseconds: tally.histogram.percentile(0.99),
            maxMicroseconds: tally.histogram.maxMicroseconds)
    }

    /// One client's reader: counts each complete line that carries the benchmark's marker.
    private static func read(_ socket: Socket, as index: Int, from early: [UInt8], tracker: Tracker) async {
        defer { socket.close() }
        var buffer = early
        var arrived: [(sender: Int, sequence: Int)] = []
        while true {
            var lineStart = 0
            buffer.withUnsafeBufferPointer { bytes in
                for position in bytes.indices where bytes[position] == UInt8(ascii: "\n") {
                    if let found = parse(UnsafeBufferPointer(rebasing: bytes[lineStart..<position])),
                        found.sender != index
                    {
                        arrived.append(found)
                    }
                    lineStart = position + 1
                }
            }
            if lineStart > 0 { buffer.removeSubrange(..<lineStart) }
            if buffer.count > 1 << 20 { buffer.removeAll() }  // no line end in a MiB: not a line server
            if !arrived.isEmpty {
                tracker.received(arrived, at: .now)
                arrived.removeAll(keepingCapacity: true)
            }
            guard let count = try? await socket.receive(appendingTo: &buffer, deadline: nil), count > 0 else { return }
        }
    }

    /// The sender and sequence number of a benchmark line, or nil for anything else (notices, welcomes).
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> (sender: Int, sequence: Int)? {
        guard line.count > marker.count, var position = line.firstIndex(of: marker[0]) else { return nil }
        for byte in marker {
            guard position < line.count, line[position] == byte else { return nil }
            position += 1
        }
        func number() -> Int? {
            var value = 0
            let first = position
            while position < line.count, line[position] >= UInt8(ascii: "0"), line[position] <= UInt8(ascii: "9") {
                value = value * 10 + Int(line[position] - UInt8(ascii: "0"))
                position += 1
            }
            guard position > first else { return nil }
            position += 1  // the space after it
            return value
        }
        guard let sender = number(), let sequence = number() else { return nil }
        return (sender, sequence)
    }
}

extension FanoutBenchmark {
    /// Where each sender's message is, and what the phase has measured; shared by every reader and sender.
    final class Tracker: Sendable {
        private struct Flight {
            var sequence = 0
            var sentAt = ContinuousClock.now
            var waitingFor = 0
            var isDelivered = true
            var sender: CheckedContinuation<Bool, Never>?
        }

        struct Tally: Sendable {
            var histogram = LatencyHistogram()
            var deliveries = 0
            var lost = 0
            var started = 0
        }

        private struct State {
            var flights: [Flight]
            var measureFrom = ContinuousClock.now
            var end = ContinuousClock.now
            var maxMessages = Int.max
            var tally = Tally()
        }

        private let state: Mutex<State>

        init(senders: Int) {
            state = Mutex(State(flights: Array(repeating: Flight(), count: senders)))
        }

        func beginPhase(
            measuringFrom start: ContinuousClock.Instant, until end: ContinuousClock.Instant, maxMessages: Int
        ) {
            state.withLock { state in
                state.measureFrom = start
                state.end = end
                state.maxMessages = maxMessages
                state.tally = Tally()
            }
        }

        func endPhase() -> Tally {
            state.withLock { state in
                defer { state.measureFrom = .now + .seconds(1_000_000) }  // between phases nothing counts
                return state.tally
            }
        }

        /// Whether the phase's message budget allows another message.
        func mayStartAnother() -> Bool {
            state.withLock { $0.tally.started < $0.maxMessages }
        }

        /// Records that a sender is about to send its next message; returns the message's sequence number.
        func start(sender: Int, receivers: Int) -> Int {
            state.withLock { state in
                let now = ContinuousClock.now
                state.flights[sender].sequence += 1
                state.flights[sender].sentAt = now
                state.flights[sender].waitingFor = receivers
                state.flights[sender].isDelivered = receivers == 0
                if now >= state.measureFrom, now < state.end { state.tally.started += 1 }
                return state.flights[sender].sequence
            }
        }

        /// Counts lines that arrived together at one receiver; the last receiver of a message completes it.
        func received(_ arrived: [(sender: Int, sequence: Int)], at now: ContinuousClock.Instant) {
            var completed: [CheckedContinuation<Bool, Never>] = []
            state.withLock { state in
                let isMeasuring = now >= state.measureFrom && now < state.end
                for (sender, sequence) in arrived where sender < state.flights.count {
                    if isMeasuring { state.tally.deliveries += 1 }
                    guard state.flights[sender].sequence == sequence, state.flights[sender].waitingFor > 0 else {
                        continue
                    }
                    state.flights[sender].waitingFor -= 1
                    guard state.flights[sender].waitingFor == 0 else { continue }
                    state.flights[sender].isDelivered = true
                    let sentAt = state.flights[sender].sentAt
                    if sentAt >= state.measureFrom, sentAt < state.end {
                        state.tally.histogram.record(microseconds: (now - sentAt).seconds * 1e6)
                    }
                    if let waiter = state.flights[sender].sender {
                        state.flights[sender].sender = nil
                        completed.append(waiter)
                    }
                }
            }
            for waiter in completed { waiter.resume(returning: true) }
        }

        /// Waits until the sender's message has reached its last receiver; false when it was given up as lost.
        func waitForFanout(of sender: Int) async -> Bool {
            await withCheckedContinuation { continuation in
                let done: Bool? = state.withLock { state in
                    if state.flights[sender].waitingFor == 0 { return state.flights[sender].isDelivered }
                    state.flights[sender].sender = continuation
                    return nil
                }
                if let done { continuation.resume(returning: done) }
            }
        }

        /// Counts the messages sent before `moment` that some receiver still misses as lost, and lets
        /// their senders go on.
        func giveUp(sentBefore moment: ContinuousClock.Instant) {
            let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
                var waiters: [CheckedContinuation<Bool, Never>] = []
                for index in state.flights.indices
                where state.flights[index].waitingFor > 0 && state.flights[index].sentAt < moment {
                    state.flights[index].waitingFor = 0
                    state.flights[index].isDelivered = false
                    let sentAt = state.flights[index].sentAt
                    if sentAt >= state.measureFrom, sentAt < state.end { state.tally.lost += 1 }
                    if let waiter = state.flights[index].sender { waiters.append(waiter) }
                    state.flights[index].sender = nil
                }
                return waiters
            }
            for waiter in waiters { waiter.resume(returning: false) }
        }
    }
}
