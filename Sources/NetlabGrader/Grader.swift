import Foundation
import NetlabSockets
import NetlabTopics
import Synchronization

/// Grades one program on one exercise: starts it, runs every check, and stops it on every path.
public struct Grader: Sendable {
    public let exercise: Exercise
    /// The program's command line, with `{host}` and `{port}` where the grader fills them in.
    public let command: [String]
    /// The most time the whole grade may take.
    public let totalTimeout: Duration
    /// How the program is kept apart: its limits, the folders it may not see, its submission's folder.
    public let isolation: Isolation

    /// Seconds a check may take when it does not say.
    static let defaultCheckTimeout = 10.0

    public init(
        exercise: Exercise, command: [String], totalTimeout: Duration = .seconds(120),
        isolation: Isolation = Isolation()
    ) {
        self.exercise = exercise
        self.command = command
        self.totalTimeout = totalTimeout
        self.isolation = isolation
    }

    /// Grades the program; the whole grade ends by `totalTimeout` (plus a moment to stop the program),
    /// however the program behaves.
    public func grade() async throws -> GradeReport {
        Socket.ignoreBrokenPipes()
        let began = ContinuousClock.now
        let deadline = began + totalTimeout
        let program = try ProgramUnderTest(
            command: command, port: try PortAllocator.freePort(), transport: exercise.transport,
            keepsInputOpen: exercise.typesInput, isolation: isolation)
        let results = ResultLog()
        let checks = Task { try await checkAll(program, into: results, until: deadline) }
        // The checks keep to the deadline themselves; this wall holds when one cannot (a read that never
        // waits, a wait that ignores cancellation): it kills the program's whole tree, which ends every
        // connection and client the checks are using, and cancels them.
        let ending = await withTaskCancellationHandler {
            await HardWall.wait(for: checks, until: deadline, grace: Self.wallGrace) {
                results.seal()
                program.killEverything()
            }
        } onCancel: {
            checks.cancel()
        }
        switch ending {
        case .finished(.success):
            let output = program.process?.lastLines(10).map { TerminalText.escaped($0) } ?? []
            await program.finish()
            return report(results.all, output: output, program: program, began: began)
        case .finished(.failure(let error)):
            await program.finish()
            throw error
        case .expired(let result):
            // Only once the checks have ended may their program be read; otherwise it is left as it is.
            let output = result == nil ? [] : program.process?.lastLines(10).map { TerminalText.escaped($0) } ?? []
            await program.finish()
            return report(timedOut(results.all), output: output, program: program, began: began)
        }
    }

    /// How long the checks get to end once the wall has cancelled them.
    static let wallGrace = Duration.seconds(2)

    /// The results of the checks that ended before the time limit, then the check it cut short, then
    /// the checks not run.
    private func timedOut(_ finished: [CheckResult]) -> [CheckResult] {
        let limit = SocketError.format(seconds: totalTimeout.seconds)
        return exercise.checks.enumerated().map { index, check in
            if index < finished.count { return finished[index] }
            if index > finished.count { return notRun(check, because: Self.timeLimitReached) }
            return result(
                check,
                failure: "did not finish: the grade's time limit of \(limit) (--timeout) was reached during this check",
                hint:
                    "a correct program answers within a few seconds; this check waited for the program until the time ran out",
                since: .now)
        }
    }

    /// The report of the checks' `results`, with the program's last lines and what grading it cost
    /// (read once the program has finished: its supervisor's usage comes when it is reaped).
    private func report(
        _ results: [CheckResult], output: [String], program: ProgramUnderTest, began: ContinuousClock.Instant
    ) -> GradeReport {
        let used = program.meter.usage
        // A batch's {dir} is shown as the submission's folder, not the private copy the program ran in.
        let shown = command.map { word in
            isolation.submission.map { word.replacingOccurrences(of: "{dir}", with: $0) } ?? word
        }
        return GradeReport(
            exercise: exercise.id, title: exercise.title, command: shown.joined(separator: " "), results: results,
            programOutput: output,
            usage: GradeReport.Usage(
                wallSeconds: (ContinuousClock.now - began).seconds, cpuSeconds: used.cpuSeconds,
                peakMemoryBytes: used.peakMemoryBytes))
    }

    /// Runs every check against the program, in order, within the grade's deadline.
    private func checkAll(
        _ program: ProgramUnderTest, into results: ResultLog, until deadline: ContinuousClock.Instant
    ) async throws {
        var neverListened = false

        for check in exercise.checks {
            let started = ContinuousClock.now
            if started >= deadline {
                results.append(notRun(check, because: Self.timeLimitReached))
                continue
            }
            if neverListened {
                // It never listened (whether it then ended or hangs on): the first check said why.
                results.append(notRun(check, because: Self.neverListenedReason))
                continue
            }
            if exercise.kind == .server, !program.isRunning {
                do {
                    // Within the grade's time too: a program that keeps dying is not waited for past it.
                    let listenLimit = min(exercise.listenTimeout ?? 10, max(0.1, (deadline - .now).seconds))
                    try await program.start(within: .seconds(listenLimit))
                } catch let failure as CheckFailure {
                    neverListened = true
                    results.append(result(check, failure: failure.message, hint: Self.startHint, since: started))
                    continue
                }
            }
            let runner = CheckRunner(exercise: exercise, program: program)
            let limit = min(check.timeout ?? Self.defaultCheckTimeout, max(0.1, (deadline - .now).seconds))
            var failure: String?
            var hint: String?
            var ifProgramEnds: String?
            do {
                try await Self.within(.seconds(limit)) { try await runner.run(check) }
            } catch let error as CheckFailure {
                failure = error.message
                ifProgramEnds = error.ifProgramEnds
            } catch is CheckTimedOut {
                failure = "the check did not finish within \(SocketError.format(seconds: limit)): the program hung"
            } catch let error as RuntimeError {
                // A mistake in the exercise itself fails this check; the others are still graded.
                failure = "the check itself is broken: \(error)"
                hint = "this is the exercise's fault, not the program's: tell the instructor"
            }
            await settle(
                after: check, program, until: deadline, failure: &failure, ifProgramEnds: ifProgramEnds, hint: &hint)
            results.append(result(check, failure: failure, hint: hint, since: started))
        }
    }

    /// The longest the grader waits after a check for the program to settle (a busy one is found sooner,
    /// by the CPU it spends: `ProgramUnderTest.busyCPU`).
    static let settleLimit = Duration.seconds(5)

    /// Waits until the program has settled after `check`, so that what this check's clients did is
    /// judged here and never in the next check: asleep and idle, or ended.
    ///
    /// A program that ended (with the check's clients, or as they left) fails this check, unless the
    /// check itself stops it or expects its end; a failure says the program ended even when the end came
    /// after the failing step. A program still busy (a thread spinning after its client left) is
    /// stopped, and the next check starts it afresh: leftovers of this check must not slow that one down.
    private func settle(
        after check: Check, _ program: ProgramUnderTest, until deadline: ContinuousClock.Instant,
        failure: inout String?, ifProgramEnds: String? = nil, hint: inout String?
    ) async {
        guard exercise.kind == .server, program.process != nil else { return }
        let limit = max(.zero, min(Self.settleLimit, deadline - .now))
        switch await program.settle(within: limit) {
        case .idle:
            return
        case .busy:
            await program.stop()
        case .ended:
            guard let process = program.process, !check.managesProgram else { return }
            let ending = "the program ended (\(process.ending))"
            if failure != nil, let waitedFor = ifProgramEnds {
                failure = CheckRunner.howItEnded(process) + " " + waitedFor + ProgramUnderTest.lastLines(of: process)
            } else if let message = failure {
                // A failure that already says how the program ended ("crashed (exit status 1)") is enough.
                if !message.contains("(\(process.ending))") {
                    failure = message + "; " + ending + ProgramUnderTest.lastLines(of: process)
                }
            } else {
                failure = ending + " during this check or as its clients left" + ProgramUnderTest.lastLines(of: process)
                hint = Self.endedHint
            }
        }
    }

    /// The hint for a program that ended during a check whose steps all passed.
    static let endedHint =
        "a client leaving (recv returns b'' or raises ConnectionResetError) must end only that client, "
        + "never the program; run it by hand and read the error it ends with"

    /// The hint for a program that never listened: the check's own hint is about its protocol, not this.
    static let startHint =
        "run the command by hand with a port, e.g. 12345 for {port}, and read what it prints; "
        + "it must listen on 127.0.0.1 at the port it is given"

    /// Why checks after a program that never listened were not run: said once, in the report's summary.
    static let neverListenedReason = "the program never started listening (see the first check that failed)"
    static let timeLimitReached = "the grade's total time limit (--timeout) was reached"

    /// A check's result, with the check's own hint unless the failure calls for another.
    private func result(_ check: Check, failure: String?, hint: String? = nil, since started: ContinuousClock.Instant)
        -> CheckResult
    {
        CheckResult(
            name: check.name, points: failure == nil ? check.points : 0, maxPoints: check.points,
            passed: failure == nil, message: failure ?? "", hint: hint ?? check.hint,
            seconds: (ContinuousClock.now - started).seconds, visibility: check.visibility)
    }

    /// A check that was not run, and why.
    private func notRun(_ check: Check, because reason: String) -> CheckResult {
        CheckResult(
            name: check.name, points: 0, maxPoints: check.points, passed: false, message: "not run: " + reason,
            hint: "", skipped: true, visibility: check.visibility)
    }

    private struct CheckTimedOut: Error {}

    /// Runs `body` for at most `limit`, then cancels it.
    private static func within(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw CheckTimedOut()
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}

/// The results of the checks that have ended, kept where the hard wall can read them: at the wall the
/// log is sealed, so a check cut short (its program killed) cannot add a result the kill caused.
final class ResultLog: Sendable {
    private let state = Mutex((results: [CheckResult](), isSealed: false))

    func append(_ result: CheckResult) {
        state.withLock { state in
            if !state.isSealed { state.results.append(result) }
        }
    }

    func seal() { state.withLock { $0.isSealed = true } }

    var all: [CheckResult] { state.withLock { $0.results } }
}

extension Check {
    /// Whether the check stops, starts or ends the program itself, so that its end is no failure.
    var managesProgram: Bool {
        steps.contains { [.stop, .start, .expectExit, .closeInput].contains($0.action) }
    }
}
