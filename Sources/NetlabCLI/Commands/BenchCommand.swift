import NetlabGrader
import NetlabTopics

/// `netlab bench rr`, `netlab bench idle` and `netlab bench fanout`: the load generators behind the README's
/// performance figures.
enum BenchCommand {
    static let command = Command(
        "bench",
        summary: "Measure a server: round trips per second and latency, idle connections held, or chat fan-out.",
        discussion: "A benchmark, run in release mode against a server in another process (see benchmarks/run.sh).",
        examples: ["netlab bench rr --port 21567 --connections 50 --duration 5"],
        subcommands: [roundTrips, idle, fanout])

    static let roundTrips = Command(
        "rr", summary: "Closed-loop request/reply load: each connection sends a line and waits for the reply line.",
        options: [
            .key(.serverHost), .key(.serverPort), .key(.connectionsAtOnce), .key(.duration), .key(.warmup),
            .key(.message), .key(.pid.with(help: "the server's process id, to report its CPU time per round trip")),
            .key(.json),
        ],
        examples: ["netlab bench rr --port 21567 --connections 500 --duration 10"],
        run: { invocation in
            let seconds = min(invocation[.duration], .seconds(120))
            let message = invocation[.message]
            if message.utf8.count >= RoundTripBenchmark.maxMessageBytes {
                throw invocation.usageError(
                    "--message is \(message.utf8.count) bytes; give a line shorter than \(RoundTripBenchmark.maxMessageBytes)"
                )
            }
            let result = try RoundTripBenchmark(
                host: invocation[.host], port: invocation[.port], connections: invocation[.connectionsAtOnce],
                duration: seconds, warmup: invocation[.warmup], message: message,
                serverPID: invocation[.pid].map(Int32.init)
            ).run()
            if invocation[.json] {
                invocation.console.out(ReportFormat.json(result))
            } else {
                invocation.console.out(
                    "\(result.connections) connections: \(Int(result.roundTripsPerSecond)) round trips/s, "
                        + "p50 \(Int(result.p50Microseconds)) µs, p99 \(Int(result.p99Microseconds)) µs, "
                        + "max \(Int(result.maxMicroseconds)) µs, \(result.errors) errors"
                        + cpu(result.serverCPUMicroseconds, "server")
                        + cpu(result.generatorCPUMicroseconds, "generator"))
            }
            return result.errors == 0 ? 0 : 1
        })

    /// `, server CPU 7.9 µs per round trip`, or nothing when it is not known.
    private static func cpu(_ microseconds: Double?, _ whose: String) -> String {
        microseconds.map { ", \(whose) CPU \(String(format: "%.1f", $0)) µs per round trip" } ?? ""
    }

    static let idle = Command(
        "idle", summary: "Open N connections, hold them, and check the server still answers.",
        options: [.key(.serverHost), .key(.serverPort), .key(.connectionsToHold), .key(.pid), .key(.json)],
        examples: ["netlab bench idle --port 21567 --connections 10000 --pid 12345"],
        action: { invocation in
            let result = try await IdleConnectionsBenchmark(
                host: invocation[.host], port: invocation[.port], connections: invocation[.connectionsToHold],
                serverPID: invocation[.pid].map(Int32.init)
            ).run()
            if invocation[.json] {
                invocation.console.out(ReportFormat.json(result))
            } else {
                let memory =
                    result.serverRSSWithConnectionsKiB.map { with in
                        ", server RSS \(result.serverRSSBeforeKiB ?? 0) KiB idle, \(with) KiB holding them"
                    } ?? ""
                invocation.console.out(
                    "\(result.established) of \(result.requested) connections held; "
                        + "\(result.sampleAnswered) of \(result.sampleSize) sampled answered; "
                        + "fresh connection \(result.freshAnswered ? "answered" : "NOT answered")\(memory)")
            }
            return result.established == result.requested && result.freshAnswered ? 0 : 1
        })

    static let fanout = Command(
        "fanout", summary: "Chat fan-out: clients in rooms, senders with one message in flight each.",
        discussion: """
            Connects the clients (client K logs in as 'userK roomR' with R = K mod --rooms and waits for 'success';
            with --login none it just connects, for servers such as 'ncat --chat'), then runs one phase per
            --in-flight count: that many clients each send a line and wait until the last receiver in their room
            has it (the latency), then send the next. A delivery is one complete line received by one receiver.
            Each phase ends after --duration or --max-messages, whichever comes first.
            """,
        options: [
            .key(.serverHost), .key(.serverPort), .key(.clients), .key(.rooms), .key(.login), .key(.inFlight),
            .key(.duration.with(help: "how long each phase measures (at most 120)")),
            .key(.warmup.with(help: "load before each phase measures")), .key(.maxMessages), .key(.size),
            .key(.pid.with(help: "the server's process id, to read its resident memory with every client connected")),
            .key(.json),
        ],
        examples: [
            "netlab bench fanout --port 21567 --clients 1000",
            "netlab bench fanout --port 8888 --clients 1000 --login none",
            "netlab bench fanout --port 21567 --clients 10000 --rooms 100 --pid 12345",
        ],
        action: { invocation in
            let words = invocation[.inFlight].split(separator: ",")
            let inFlight = words.compactMap { Int($0) }
            guard !words.isEmpty, inFlight.count == words.count, inFlight.allSatisfy({ 1...1000 ~= $0 }) else {
                throw invocation.usageError("--in-flight takes counts from 1 to 1000 separated by commas, such as 1,16")
            }
            let login = invocation[.login]
            let clients = invocation[.clients]
            let rooms = invocation[.rooms]
            if login == .none, rooms > 1 {
                throw invocation.usageError(
                    "--login none puts every client in one room; drop --rooms or use --login rooms")
            }
            if clients < 2 * rooms {
                throw invocation.usageError("\(rooms) rooms need at least \(2 * rooms) clients, two a room")
            }
            let result = try await FanoutBenchmark(
                host: invocation[.host], port: invocation[.port], clients: clients, rooms: rooms,
                login: login, inFlight: inFlight, duration: min(invocation[.duration], .seconds(120)),
                warmup: invocation[.warmup], maxMessages: invocation[.maxMessages], messageBytes: invocation[.size],
                serverPID: invocation[.pid].map(Int32.init)
            ).run()
            if invocation[.json] {
                invocation.console.out(ReportFormat.json(result))
            } else {
                invocation.console.out(Self.describe(result))
            }
            return result.lost == 0 ? 0 : 1
        })

    /// The fan-out result as a few lines of text.
    static func describe(_ result: FanoutBenchmark.Result) -> String {
        func time(_ microseconds: Double) -> String {
            microseconds < 1000
                ? "\(Int(microseconds)) µs" : String(format: "%.1f ms", microseconds / 1000)
        }
        var lines = [
            "\(result.clients) clients in \(result.rooms) room\(result.rooms == 1 ? "" : "s") "
                + "(login \(result.login.rawValue)), \(result.receiversPerMessage) receivers a message, "
                + String(format: "connected in %.1f s", result.connectSeconds)
        ]
        if let before = result.serverRSSBeforeKiB, let with = result.serverRSSWithClientsKiB {
            lines.append("server RSS \(before) KiB before, \(with) KiB with every client connected")
        }
        for phase in result.phases {
            lines.append(
                "\(phase.inFlight) in flight: \(Int(phase.deliveriesPerSecond)) deliveries/s, "
                    + "fan-out p50 \(time(phase.p50Microseconds)), p99 \(time(phase.p99Microseconds)), "
                    + "max \(time(phase.maxMicroseconds)); \(phase.messages) messages, \(phase.lost) lost")
        }
        return lines.joined(separator: "\n")
    }
}

extension OptionKey where Value == Int {
    /// `netlab bench rr --connections`.
    static var connectionsAtOnce: Self {
        .integer("connections", "N", in: 1...20_000, default: 50, help: "connections at once")
    }
    /// `netlab bench idle --connections`.
    static var connectionsToHold: Self {
        .integer("connections", "N", in: 1...50_000, default: 10_000, help: "connections to hold")
    }
    /// `netlab bench fanout --clients`.
    static var clients: Self {
        .integer("clients", "N", in: 2...50_000, default: 100, help: "clients connected at once")
    }
    /// `netlab bench fanout --rooms`.
    static var rooms: Self {
        .integer("rooms", "N", in: 1...10_000, default: 1, help: "rooms the clients are spread over")
    }
    /// `netlab bench fanout --max-messages`.
    static var maxMessages: Self {
        .integer("max-messages", "N", in: 1...10_000_000, default: 1_000_000, help: "the most messages a phase sends")
    }
    /// `netlab bench fanout --size`.
    static var size: Self { .integer("size", "BYTES", in: 24...4000, default: 64, help: "each message's length") }
}

extension OptionKey where Value == Int? {
    /// `--pid`: the server's process id, for a benchmark to read its CPU time or memory.
    static var pid: Self {
        .integer("pid", "PID", in: 1...4_194_304, help: "the server's process id, to read its resident memory")
    }
}

extension OptionKey where Value == Duration {
    /// A benchmark's `--duration`.
    static var duration: Self { .seconds("duration", default: .seconds(5), help: "how long to measure (at most 120)") }
    /// A benchmark's `--warmup`.
    static var warmup: Self { .seconds("warmup", default: .seconds(1), help: "load before measuring starts") }
}

extension OptionKey where Value == String {
    /// `netlab bench rr --message`.
    static var message: Self {
        .text("message", "TEXT", default: "hello", help: "the line each request sends (at most 4096 bytes)")
    }
    /// `netlab bench fanout --in-flight`.
    static var inFlight: Self {
        .text("in-flight", "LIST", default: "1,16", help: "messages in flight in each phase, such as 1,16")
    }
}

extension OptionKey where Value == FanoutBenchmark.Login {
    /// `netlab bench fanout --login`.
    static var login: Self {
        .choice(
            "login", "KIND", default: .rooms, help: "rooms ('userK roomR', then 'success') or none (one room, no login)"
        )
    }
}
