/// `netlab bench rr` and `netlab bench idle`: the load generator behind the README's performance figures.
enum BenchCommand {
    static let command = Command(
        "bench", summary: "Measure a server: round trips per second and latency, or idle connections held.",
        discussion: "A benchmark, run in release mode against a server in another process (see benchmarks/run.sh).",
        examples: ["netlab bench rr --port 21567 --connections 50 --duration 5"],
        subcommands: [roundTrips, idle])

    static let roundTrips = Command(
        "rr", summary: "Closed-loop request/reply load: each connection sends a line and waits for the reply line.",
        options: [
            Option("host", "HOST", default: "127.0.0.1", help: "server's address"),
            Option("port", "PORT", kind: .port, default: "21567", help: "server's port"),
            Option("connections", "N", kind: .integer(1...20_000), default: "50", help: "connections at once"),
            Option("duration", "SECONDS", kind: .seconds, default: "5", help: "how long to measure (at most 120)"),
            Option("warmup", "SECONDS", kind: .seconds, default: "1", help: "load before measuring starts"),
            Option("message", "TEXT", default: "hello", help: "the line each request sends"),
            .flag("json", help: "print the result as JSON"),
        ],
        examples: ["netlab bench rr --port 21567 --connections 500 --duration 10"],
        action: { invocation in
            let seconds = min(invocation.duration("duration"), .seconds(120))
            let result = try await RoundTripBenchmark(
                host: invocation.string("host")!, port: invocation.int("port"),
                connections: invocation.int("connections"),
                duration: seconds, warmup: invocation.duration("warmup"), message: invocation.string("message")!
            ).run()
            if invocation.flag("json") {
                invocation.console.out(ReportFormat.json(result))
            } else {
                invocation.console.out(
                    "\(result.connections) connections: \(Int(result.roundTripsPerSecond)) round trips/s, "
                        + "p50 \(Int(result.p50Microseconds)) µs, p99 \(Int(result.p99Microseconds)) µs, "
                        + "max \(Int(result.maxMicroseconds)) µs, \(result.errors) errors")
            }
            return result.errors == 0 ? 0 : 1
        })

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
}
