import Foundation
import NetlabProcesses
import NetlabSockets
import NetlabTopics

/// Runs the steps of one check against the program under test, and says what went wrong.
///
/// Server exercises: the runner is the client, with named connections (`"client": "a"`).
/// Client exercises: the runner starts a scripted server and runs the student's client against it.
final class CheckRunner: @unchecked Sendable {
    // @unchecked Sendable: one check runs on one task at a time; the grader waits for it before the next.
    let exercise: Exercise
    let program: ProgramUnderTest
    private var connections: [String: GraderConnection] = [:]
    /// The grader's ports of the connections this check has closed, for `settle`.
    private var closedClientPorts: [Int] = []
    private var datagramSockets: [String: Socket] = [:]
    private var scripted: ScriptedServer?
    private var client: ChildProcess?
    private var scriptedReplies: [ScriptedReply] = []
    /// Where the scripted server listens, as `host:port`, for a client that never reached it.
    private var scriptedAddress = ""
    /// The texts each client has sent in this check, to recognise its own line coming back to it.
    private var sentTexts: [String: [String]] = [:]
    /// The client and text of the check's latest `send`.
    private var lastSent: (client: String, text: String)?

    /// How long a step waits when the check does not say.
    static let defaultWait = 3.0

    init(exercise: Exercise, program: ProgramUnderTest) {
        self.exercise = exercise
        self.program = program
    }

    /// Runs every step in order; throws `CheckFailure` at the first that fails.
    func run(_ check: Check) async throws {
        do {
            for step in check.steps {
                try await run(step)
            }
        } catch let endless as ReplyNeverEnded {
            await cleanUp()
            throw failure("\(endless)")
        } catch let failure as CheckFailure {
            let failure = notingUnreachedServer(failure)
            await cleanUp()
            throw failure
        } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
    }

    /// A client exercise's failure, led by the likely cause when the client never reached the
    /// grader's server: whatever else went wrong follows from that.
    private func notingUnreachedServer(_ failure: CheckFailure) -> CheckFailure {
        guard exercise.kind == .client, let scripted, !scripted.wasReached else { return failure }
        let reached = exercise.transport == .tcp ? "connected to" : "sent a datagram to"
        return CheckFailure(
            "the client never \(reached) the grader's server at \(scriptedAddress): it must use the host and port "
                + "it is given, {host} and {port} in its command; " + failure.message)
    }

    private func cleanUp() async {
        let open = connections.values.map(\.socket)
        connections = [:]
        // In order, all at once: see `closeInOrder`.
        await withTaskGroup(of: Void.self) { group in
            for socket in open { group.addTask { await Self.closeInOrder(socket) } }
        }
        for socket in datagramSockets.values { socket.close() }
        closedClientPorts = []
        sentTexts = [:]
        lastSent = nil
        datagramSockets = [:]
        await client?.stop()
        client = nil
        scripted?.stop()
        scripted = nil
    }

    /// The longest a close waits for the program to close its end.
    static let closeDrain = Duration.milliseconds(500)

    /// Closes a connection the one way a check means by a close: the program reads end of stream.
    ///
    /// A socket closed with unread input (a reply that came after the last `expect`) sends a reset
    /// instead, and the program's receive then fails with ECONNRESET rather than returning b'': which
    /// of the two it saw depended on when its reply arrived, so a server that handles only b'' passed
    /// or failed at random. So: shut the write side (the FIN goes out after everything sent), read and
    /// discard what still comes until the program closes its end (at most `closeDrain`), then close.
    static func closeInOrder(_ socket: Socket) async {
        await socket.closeAfterDraining(timeout: closeDrain)
    }

    private func wait(_ step: Step) -> Duration { .seconds(step.within ?? Self.defaultWait) }

    /// Waits until the kernel shows the program has read what was sent and closed what the
    /// grader closed, then until the program has acted on it: every thread asleep again, no CPU spent
    /// for a moment (a thread that has received a nickname stores it next, whenever the machine lets it,
    /// which a fixed grace could not promise). Never longer than `limit`. Without /proc it waits `limit`,
    /// as a fixed sleep would. A program that never reads, never closes or never rests only costs the
    /// wait: the checks that follow judge it.
    private func settle(within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        let openClientPorts = connections.values.compactMap { try? $0.socket.localAddress.port }
        while ContinuousClock.now < deadline {
            guard
                let settled = KernelTCPTable.hasSettledNow(
                    serverPort: program.port, openClientPorts: openClientPorts, closedClientPorts: closedClientPorts)
            else { break }
            if settled {
                _ = await program.settle(within: deadline - ContinuousClock.now)
                try Task.checkCancellation()
                return
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let remaining = deadline - ContinuousClock.now
        if remaining > .zero { try await Task.sleep(for: remaining) }
    }

    private func run(_ step: Step) async throws {
        let name = step.client ?? "a"
        switch step.action {
        case .connect:
            do {
                let socket = try await Socket.connected(host: "127.0.0.1", port: program.port, timeout: wait(step))
                connections[name]?.socket.close()
                connections[name] = GraderConnection(socket: socket)
            } catch SocketError.connectionRefused {
                // A server that exits after its first client refuses the next one: wait a moment for its
                // exit to be seen, so the message says it ended rather than only that nothing listens.
                _ = await program.process?.waitForExit(timeout: .milliseconds(300))
                throw failure(
                    "could not connect to 127.0.0.1:\(program.port): connection refused, nothing listens on that address"
                )
            } catch let error as SocketError {
                throw failure("could not connect to 127.0.0.1:\(program.port): \(error)")
            }

        case .send:
            let bytes = Array((step.text ?? "").utf8)
            sentTexts[name, default: []].append(step.text ?? "")
            lastSent = (name, step.text ?? "")
            if exercise.transport == .udp {
                let socket = try datagramSocket(name)
                try await socket.send(
                    bytes, to: try Socket.resolve(host: "127.0.0.1", port: program.port, kind: .udp, passive: false)[0])
            } else {
                let connection = try connection(name)
                do {
                    try await connection.socket.send(bytes)
                } catch is SocketError {
                    throw await closedFailure(
                        "the program closed client \(name)'s connection before \(quoted(step.text ?? "")) could be sent",
                        crashed: "before client \(name) could send \(quoted(step.text ?? ""))")
                }
            }

        case .expect:
            let matcher = step.match!.listingNames(in: program.folder)
            let reply: String?
            let endedLine: Bool
            if exercise.transport == .udp {
                let socket = try datagramSocket(name)
                do {
                    let datagram = try await socket.receiveDatagram(deadline: .now + wait(step)).bytes
                    endedLine = datagram.last == UInt8(ascii: "\n")
                    reply = String(decoding: datagram, as: UTF8.self).trimmingLineEnd()
                } catch is WaitTimeout {
                    throw failure(
                        "client \(name): expected \(matcher) within \(seconds(step)), "
                            + "but no datagram came back to the sender's address")
                }
            } else {
                var connection = try connection(name)
                do {
                    reply = try await nextReply(
                        on: &connection, matching: matcher, within: wait(step), waitsForLineEnd: step.lineEnd)
                } catch is WaitTimeout {
                    throw failure("client \(name): expected \(matcher) within \(seconds(step)), but nothing came")
                } catch let endless as ReplyNeverEnded {
                    throw failure("client \(name): expected \(matcher), but \(endless)")
                }
                endedLine = connection.lastReplyEndedLine
                connections[name] = connection
            }
            guard let reply else {
                throw await closedFailure(
                    "client \(name): expected \(matcher), but the program closed the connection",
                    crashed: "while client \(name) waited for \(matcher)")
            }
            let matches = matcher.matches(reply)
            if step.lineEnd, !endedLine {
                // A reply without a newline runs into the next one, so a mismatch may be two lines in one.
                let asSent =
                    lastSent.map { $0.client == name && $0.text.hasSuffix("\n") } == true ? ", as the message did" : ""
                throw failure(
                    matches
                        ? "client \(name): expected the reply \(quoted(reply)) to end in a newline\(asSent), but it has none"
                        : "client \(name): expected \(matcher), ending in a newline\(asSent); got \(quoted(reply)), "
                            + "with no newline at its end: lines sent one after another without one run together")
            }
            guard matches else {
                throw failure("client \(name): expected \(matcher), got \(quoted(reply))" + Self.bytesNote(reply))
            }

        case .expectClosed:
            var connection = try connection(name)
            guard try await connection.waitForClose(within: wait(step)) else {
                throw failure(
                    "client \(name): expected the program to close the connection within \(seconds(step)), but it stayed open"
                )
            }
            connections[name] = connection

        case .expectOpen:
            var connection = try connection(name)
            if try await !connection.staysOpen(within: wait(step)) {
                throw await closedFailure(
                    "the program closed client \(name)'s connection, which should have stayed open",
                    crashed: "while client \(name)'s connection should have stayed open")
            }
            connections[name] = connection

        case .expectSilence:
            if exercise.transport == .udp {
                let socket = try datagramSocket(name)
                if let datagram = try? await socket.receiveDatagram(deadline: .now + wait(step)) {
                    let reply = String(decoding: datagram.bytes, as: UTF8.self)
                    throw failure("client \(name): expected no reply, got \(quoted(reply))" + Self.bytesNote(reply))
                }
            } else {
                var connection = try connection(name)
                let deadline = ContinuousClock.now + wait(step)
                // Replies the exercise ignores may come meanwhile; anything else breaks the silence.
                var skipped = 0
                while try await connection.hasActivity(within: deadline - ContinuousClock.now) {
                    let reply: String?
                    do {
                        reply = try await connection.readReply(within: .milliseconds(10)) { exercise.isIgnored($0) }
                    } catch let endless as ReplyNeverEnded {
                        throw failure("client \(name): expected no reply, but \(endless)")
                    }
                    if let reply, exercise.isIgnored(reply), skipped < Self.maxSkippedReplies {
                        skipped += 1
                        continue
                    }
                    guard let reply else {
                        throw await closedFailure(
                            "client \(name): expected no reply, but the program closed the connection",
                            crashed: "while client \(name) waited")
                    }
                    throw failure(
                        "client \(name): expected no reply, got \(quoted(reply))"
                            + ownLineNote(reply, client: name) + Self.bytesNote(reply))
                }
                connections[name] = connection
            }

        case .close:
            if let connection = connections.removeValue(forKey: name) {
                if let port = try? connection.socket.localAddress.port { closedClientPorts.append(port) }
                if step.reset {
                    connection.socket.reset()
                } else {
                    await Self.closeInOrder(connection.socket)
                }
            }
            datagramSockets.removeValue(forKey: name)?.close()

        case .sleep:
            try await Task.sleep(for: .seconds(step.seconds ?? 0.1))

        case .settle:
            try await settle(within: .seconds(step.seconds ?? 0.5))

        case .stop:
            await program.stop()

        case .start:
            try await program.start(within: .seconds(exercise.listenTimeout ?? 10))

        case .createFile:
            guard let fileName = step.name, !fileName.isEmpty, !fileName.contains("/"), fileName != ".." else {
                throw RuntimeError("checks.json: create_file needs a plain file name, without '/'")
            }
            let path = program.folder + "/" + fileName
            guard FileManager.default.createFile(atPath: path, contents: Data((step.text ?? "").utf8)) else {
                throw RuntimeError("cannot create \(path) for the check — is the temporary folder writable?")
            }

        case .type:
            guard exercise.kind == .server else {
                throw RuntimeError("checks.json: a type step is for server exercises; a client gets 'stdin'")
            }
            let text = step.text ?? ""
            if !program.type(text) {
                throw failure(
                    "could not type \(quoted(text)) on the program's standard input: it has closed it, or left it unread"
                )
            }

        case .closeInput:
            program.process?.closeInput()

        case .expectRunning:
            if let process = program.process, !process.isRunning {
                throw CheckFailure(Self.howItEnded(process) + ProgramUnderTest.lastLines(of: process))
            }

        case .expectIdle:
            guard exercise.kind == .server, let process = program.process else {
                throw RuntimeError("checks.json: expect_idle is for server exercises, after the program has started")
            }
            let span = step.seconds ?? 1
            let budget = step.cpuSeconds ?? span / 4
            let before = ProgramTree(of: process)
            let (busyBefore, cpuBefore) = (before.busyNanosecondsByThread, before.cpuSeconds)
            try await Task.sleep(for: .seconds(span))
            let after = ProgramTree(of: process)
            let busyAfter = after.busyNanosecondsByThread
            // Without the kernel's scheduler figures, CPU time: the same for an unloaded machine.
            let used =
                busyAfter.isEmpty
                ? after.cpuSeconds - cpuBefore
                : Double(busyAfter.reduce(0) { $0 + ($1.value &- min(busyBefore[$1.key] ?? 0, $1.value)) }) / 1e9
            if !process.isRunning {
                throw CheckFailure(Self.howItEnded(process) + ProgramUnderTest.lastLines(of: process))
            }
            if used > budget {
                throw failure(
                    "with nothing to do, the program kept a processor busy for \(String(format: "%.2f", used)) s "
                        + "of \(SocketError.format(seconds: span)) (running or waiting to run, all its threads; "
                        + "at most \(String(format: "%.2f", budget)) s): a loop is spinning, "
                        + "such as one that calls recv() again after it returned b''")
            }

        case .runClient:
            guard let behaviour = exercise.server else {
                throw RuntimeError("a client exercise needs a 'server' field in its checks.json")
            }
            scripted?.stop()
            await client?.stop()
            let serverHost = step.serverHost ?? "127.0.0.1"
            let server = try ScriptedServer(
                transport: exercise.transport, behaviour: behaviour, host: serverHost, replies: step.replies ?? [])
            scripted = server
            scriptedAddress = "\(serverHost):\(server.port)"
            scriptedReplies = step.replies ?? []
            client = try await program.spawn(
                host: step.host ?? serverHost, port: server.port, input: step.stdin ?? "",
                separatesErrors: behaviour.frames)

        case .expectOutput:
            let client = try programWithOutput()
            let matchers = step.lines ?? []
            let deadline = ContinuousClock.now + wait(step)
            while true {
                let printed = Self.printedLines(client.output)
                if Self.isSubsequence(matchers, of: printed) { break }
                if !client.isRunning || ContinuousClock.now >= deadline {
                    // One last look: the client may have printed as it exited. Once it has ended, what it
                    // printed is all read only when its pipes are drained, a moment after its end is seen.
                    let drained = ContinuousClock.now + .seconds(1)
                    while !client.isRunning, !client.isFinished, ContinuousClock.now < drained {
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    let printed = Self.printedLines(client.output)
                    if Self.isSubsequence(matchers, of: printed) { break }
                    let shown = printed.suffix(4).map { quoted($0) }.joined(separator: ", ")
                    throw CheckFailure(
                        "expected the \(programName) to print \(matchers.map(\.description).joined(separator: ", then ")); "
                            + "it printed \(printed.isEmpty ? "nothing" : shown)"
                            + (client.isRunning ? "" : " and ended (\(client.ending))")
                            + Self.bytesNote(printed.suffix(4).joined(separator: "\n")))
                }
                try await Task.sleep(for: .milliseconds(10))
            }

        case .expectReceived:
            let server = try scriptedServer()
            let matchers = step.lines ?? []
            let deadline = ContinuousClock.now + wait(step)
            while true {
                let received = server.messages
                if received.count == matchers.count, zip(matchers, received).allSatisfy({ $0.matches($1) }) { break }
                if ContinuousClock.now >= deadline {
                    throw CheckFailure(
                        "expected the server to receive \(matchers.map(\.description).joined(separator: ", then ")); "
                            + "it received \(received.isEmpty ? "nothing" : received.map { quoted($0) }.joined(separator: ", "))"
                            + Self.bytesNote(received.joined(separator: "\n")))
                }
                try await Task.sleep(for: .milliseconds(10))
            }

        case .expectStdoutPayloads:
            let client = try runningClient()
            let expected = OutputDigest(scriptedReplies.flatMap(\.stdoutBytes))
            let deadline = ContinuousClock.now + wait(step)
            while true {
                // Read whether it has finished before what it printed: once finished, the output is complete.
                let hasFinished = client.isFinished
                let printed = client.outputDigest
                if printed == expected { break }
                if printed.count > expected.count || hasFinished || ContinuousClock.now >= deadline {
                    let what =
                        printed.count == expected.count
                        ? "\(printed.count) bytes, but not the same bytes"
                        : "\(printed.count) bytes"
                            + (client.isRunning ? " and was still waiting" : " and ended (\(client.ending))")
                    throw CheckFailure(
                        "expected the client to print the replies' \(expected.count) bytes of stdout exactly; it printed \(what)"
                            + ProgramUnderTest.lastLines(of: client))
                }
                try await Task.sleep(for: .milliseconds(10))
            }

        case .expectExit:
            let client = try programWithOutput()
            guard await client.waitForExit(timeout: wait(step)) else {
                throw CheckFailure(
                    exercise.kind == .client
                        ? "the client was still running after \(seconds(step)); it should stop at an empty line or at the end of its input"
                        : "the program was still running \(seconds(step)) later; it should end when its chat ends"
                )
            }
            if let status = step.status, client.exitStatus != status {
                throw CheckFailure(
                    "expected the \(programName) to exit with status \(status); it ended with \(client.ending)"
                        + ProgramUnderTest.lastLines(of: client))
            }
        }
    }

    // MARK: Helpers

    private func connection(_ name: String) throws -> GraderConnection {
        guard let connection = connections[name] else {
            throw RuntimeError("checks.json uses connection '\(name)' before a connect step")
        }
        return connection
    }

    private func datagramSocket(_ name: String) throws -> Socket {
        if let socket = datagramSockets[name] { return socket }
        let socket = try Socket(.udp, family: .ipv4)
        datagramSockets[name] = socket
        return socket
    }

    private func runningClient() throws -> ChildProcess {
        guard let client else { throw RuntimeError("checks.json expects client output before a run_client step") }
        return client
    }

    /// The program whose output and exit a step checks: the server under test, or the client it ran.
    private func programWithOutput() throws -> ChildProcess {
        guard exercise.kind == .server else { return try runningClient() }
        guard let process = program.process else { throw CheckFailure("the program is not running") }
        return process
    }

    /// What failure messages call the program under test.
    private var programName: String { exercise.kind == .server ? "program" : "client" }

    /// The next reply on a connection that is not one the exercise ignores; throws `WaitTimeout` when
    /// none came in time. A reply ends early once it matches (or is ignored), so a correct program is
    /// not kept waiting for the pause that ends a reply without a newline.
    private func nextReply(
        on connection: inout GraderConnection, matching matcher: Matcher, within wait: Duration,
        waitsForLineEnd: Bool = false
    ) async throws -> String? {
        let deadline = ContinuousClock.now + wait
        for _ in 0..<Self.maxSkippedReplies {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            let reply = try await connection.readReply(within: remaining) {
                (!waitsForLineEnd && matcher.matches($0)) || exercise.isIgnored($0)
            }
            guard let reply else { return nil }
            // An ignored reply is skipped even when it matches: a join notice naming a user is not
            // the notice of that user leaving.
            if exercise.isIgnored(reply) { continue }
            // Replies without line ends that arrive together run into one. A notice the checks ignore at
            // the start of one is skipped, and what follows it is read as the next reply.
            if !matcher.matches(reply), let rest = exercise.textAfterIgnoredNotice(reply) {
                connection.unread(rest)
                continue
            }
            return reply
        }
        throw WaitTimeout()
    }

    /// The most ignored replies one step skips: a program that floods them fails instead.
    static let maxSkippedReplies = 1000

    private func scriptedServer() throws -> ScriptedServer {
        guard let scripted else { throw RuntimeError("checks.json expects received lines before a run_client step") }
        return scripted
    }

    /// A failure, noting when the program under test has died meanwhile.
    private func failure(_ message: String) -> CheckFailure {
        if let process = program.process, !process.isRunning {
            return CheckFailure(message + "; " + Self.howItEnded(process) + ProgramUnderTest.lastLines(of: process))
        }
        return CheckFailure(message)
    }

    /// The failure for a connection the program closed. A crash closes every connection, and its exit is
    /// seen a moment later: when the program has ended, the failure says it crashed, with its last lines,
    /// not only that a connection closed.
    private func closedFailure(_ closed: String, crashed: String) async -> CheckFailure {
        guard let process = program.process else { return CheckFailure(closed) }
        if process.isRunning { _ = await process.waitForExit(timeout: .milliseconds(300)) }
        // A loaded machine may take longer to end a crashing program: the check's end looks again.
        guard !process.isRunning else { return CheckFailure(closed, ifProgramEnds: crashed) }
        return CheckFailure(Self.howItEnded(process) + " " + crashed + ProgramUnderTest.lastLines(of: process))
    }

    /// `the program crashed (exit status 1)`, or `ended` for a clean exit.
    static func howItEnded(_ process: ChildProcess) -> String {
        (process.exitStatus == 0 ? "the program ended (" : "the program crashed (") + process.ending + ")"
    }

    /// A note for a reply carrying a line `client` sent itself: a relay that did not skip its sender.
    private func ownLineNote(_ reply: String, client name: String) -> String {
        let reply = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        for sent in (sentTexts[name] ?? []).dropFirst().reversed() {
            let text = sent.trimmingCharacters(in: .whitespacesAndNewlines)
            // Direct messages travel as `to:text` and arrive as `from:text`.
            let message = text.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init) ?? text
            for candidate in [text, message] where !candidate.isEmpty && reply.hasSuffix(candidate) {
                return ": that is its own line \(quoted(text)), sent back to it; "
                    + "a line goes to the others only, never back to its sender"
            }
        }
        return ""
    }

    /// A note for text holding `b'...'`, how Python 3 shows bytes: they were formatted into a string
    /// without being decoded (`'%s' % data` or `str(data)` with bytes `data`).
    static func bytesNote(_ text: String) -> String {
        guard let pattern = try? Regex(#"(^|[^A-Za-z0-9_])b('[^']*'|"[^"]*")"#), text.contains(pattern) else {
            return ""
        }
        return " — b'...' is how Python shows bytes: decode them, data.decode(), before putting them in text"
    }

    private func seconds(_ step: Step) -> String { SocketError.format(seconds: step.within ?? Self.defaultWait) }

    private func quoted(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(77)) + "..." : text
        return "'" + TerminalText.escaped(shown) + "'"
    }

    /// The lines a client printed, without empty ones.
    static func printedLines(_ output: String) -> [String] {
        output.split(separator: "\n").map { $0.trimmingLineEnd() }.filter { !$0.isEmpty }
    }

    /// Whether each matcher matches a printed line, in order. A line also counts from after a prompt
    /// such as `> `, since input prompts are printed without a newline.
    static func isSubsequence(_ matchers: [Matcher], of lines: [String]) -> Bool {
        var index = 0
        for line in lines where index < matchers.count {
            if candidates(line).contains(where: { matchers[index].matches($0) }) { index += 1 }
        }
        return index == matchers.count
    }

    private static func candidates(_ line: String) -> [String] {
        var result = [line]
        var rest = Substring(line)
        while let prompt = rest.firstIndex(where: { $0 == ">" || $0 == ":" }) {
            rest = rest[rest.index(after: prompt)...]
            result.append(String(rest.drop { $0 == " " }))
        }
        return result
    }
}
