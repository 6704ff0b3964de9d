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
            Option("host", "HOST", default: "127.0.0.1", help: "server's address"),
            Option("port", "PORT", kind: .port, default: "21567", help: "server's port"),
            Option("connections", "N", kind: .integer(1...20_000), default: "50", help: "connections at once"),
            Option("duration", "SECONDS", kind: .seconds, default: "5", help: "how long to measure (at most 120)"),
            Option("warmup", "SECONDS", kind: .seconds, default: "1", help: "load before measuring starts"),
            Option("message", "TEXT", default: "hello", help: "the line each request sends (at most 4096 bytes)"),
            Option(
                "pid", "PID", kind: .integer(1...4_194_304),
                help: "the server's process id, to report its CPU time per round trip"),
            .flag("json", help: "print the result as JSON"),
        ],
        examples: ["netlab bench rr --port 21567 --connections 500 --duration 10"],
        run: { invocation in
            let seconds = min(invocation.duration("duration"), .seconds(120))
            let message = invocation.string("message")!
            if message.utf8.count >= RoundTripBenchmark.maxMessageBytes {
                throw invocation.usageError(
                    "--message is \(message.utf8.count) bytes; give a line shorter than \(RoundTripBenchmark.maxMessageBytes)"
                )
            }
            let result = try RoundTripBenchmark(
                host: invocation.string("host")!, port: invocation.int("port"),
                connections: invocation.int("connections"),
                duration: seconds, warmup: invocation.duration("warmup"), message: message,
                serverPID: invocation.isGiven("pid") ? Int32(invocation.int("pid")) : nil
            ).run()
            if invocation.flag("json") {
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
        options: [
            Option("host", "HOST", default: "127.0.0.1", help: "server's address"),
            Option("port", "PORT", kind: .port, default: "21567", help: "server's port"),
            Option("connections", "N", kind: .integer(1...50_000), default: "10000", help: "connections to hold"),
            Option(
                "pid", "PID", kind: .integer(1...4_194_304),
                help: "the server's process id, to read its resident memory"),
            .flag("json", help: "print the result as JSON"),
        ],
        examples: ["netlab bench idle --port 21567 --connections 10000 --pid 12345"],
        action: { invocation in
            let result = try await IdleConnectionsBenchmark(
                host: invocation.string("host")!, port: invocation.int("port"),
                connections: invocation.int("connections"),
                serverPID: invocation.isGiven("pid") ? Int32(invocation.int("pid")) : nil
            ).run()
            if invocation.flag("json") {
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
            Option("host", "HOST", default: "127.0.0.1", help: "server's address"),
            Option("port", "PORT", kind: .port, default: "21567", help: "server's port"),
            Option("clients", "N", kind: .integer(2...50_000), default: "100", help: "clients connected at once"),
            Option("rooms", "N", kind: .integer(1...10_000), default: "1", help: "rooms the clients are spread over"),
            Option(
                "login", "KIND", kind: .choice(FanoutBenchmark.Login.allCases.map(\.rawValue)), default: "rooms",
                help: "rooms ('userK roomR', then 'success') or none (one room, no login)"),
            Option(
                "in-flight", "LIST", default: "1,16", help: "messages in flight in each phase, such as 1,16"),
            Option(
                "duration", "SECONDS", kind: .seconds, default: "5", help: "how long each phase measures (at most 120)"),
            Option("warmup", "SECONDS", kind: .seconds, default: "1", help: "load before each phase measures"),
            Option(
                "max-messages", "N", kind: .integer(1...10_000_000), default: "1000000",
                help: "the most messages a phase sends"),
            Option("size", "BYTES", kind: .integer(24...4000), default: "64", help: "each message's length"),
            Option(
                "pid", "PID", kind: .integer(1...4_194_304),
                help: "the server's process id, to read its resident memory with every client connected"),
            .flag("json", help: "print the result as JSON"),
        ],
        examples: [
            "netlab bench fanout --port 21567 --clients 1000",
            "netlab bench fanout --port 8888 --clients 1000 --login none",
            "netlab bench fanout --port 21567 --clients 10000 --rooms 100 --pid 12345",
        ],
        action: { invocation in
            let words = (invocation.string("in-flight") ?? "").split(separator: ",")
            let inFlight = words.compactMap { Int($0) }
            guard !words.isEmpty, inFlight.count == words.count, inFlight.allSatisfy({ 1...1000 ~= $0 }) else {
                throw invocation.usageError("--in-flight takes counts from 1 to 1000 separated by commas, such as 1,16")
            }
            let login = FanoutBenchmark.Login(rawValue: invocation.string("login")!)!
            let clients = invocation.int("clients")
            let rooms = invocation.int("rooms")
            if login == .none, rooms > 1 {
                throw invocation.usageError(
                    "--login none puts every client in one room; drop --rooms or use --login rooms")
            }
            if clients < 2 * rooms {
                throw invocation.usageError("\(rooms) rooms need at least \(2 * rooms) clients, two a room")
            }
            let result = try await FanoutBenchmark(
                host: invocation.string("host")!, port: invocation.int("port"), clients: clients, rooms: rooms,
                login: login, inFlight: inFlight, duration: min(invocation.duration("duration"), .seconds(120)),
                warmup: invocation.duration("warmup"), maxMessages: invocation.int("max-messages"),
                messageBytes: invocation.int("size"),
                serverPID: invocation.isGiven("pid") ? Int32(invocation.int("pid")) : nil
            ).run()
            if invocation.flag("json") {
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
