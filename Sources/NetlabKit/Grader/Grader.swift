import Foundation

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

    public func grade() async throws -> GradeReport {
        Socket.ignoreBrokenPipes()
        let deadline = ContinuousClock.now + totalTimeout
        let program = try ProgramUnderTest(
            command: command, port: try PortAllocator.freePort(), transport: exercise.transport,
            keepsInputOpen: exercise.typesInput, isolation: isolation)
        do {
            let report = try await checkAll(program, until: deadline)
            await program.finish()
            return report
        } catch {
            await program.finish()
            throw error
        }
    }

    /// Runs every check against the program, in order, within the grade's deadline.
    private func checkAll(_ program: ProgramUnderTest, until deadline: ContinuousClock.Instant) async throws
        -> GradeReport
    {
        var results: [CheckResult] = []
        var neverListened = false

        for check in exercise.checks {
            if ContinuousClock.now >= deadline {
                results.append(
                    result(
                        check, failure: "not run: the grade's total time limit was reached",
                        hint: "a program that answers at once grades well within the limit; look for a check that hung")
                )
                continue
            }
            if neverListened {
                // It never listened (whether it then ended or hangs on): the first check said why.
                results.append(
                    result(
                        check, failure: "not run: the program did not start listening (see the first check)",
                        hint: Self.startHint))
                continue
            }
            if exercise.kind == .server, !program.isRunning {
                do {
                    // Within the grade's time too: a program that keeps dying is not waited for past it.
                    let listenLimit = min(exercise.listenTimeout ?? 10, max(0.1, (deadline - .now).seconds))
                    try await program.start(within: .seconds(listenLimit))
                } catch let failure as CheckFailure {
                    neverListened = true
                    results.append(result(check, failure: failure.message, hint: Self.startHint))
                    continue
                }
            }
            let runner = CheckRunner(exercise: exercise, program: program)
            let limit = min(check.timeout ?? Self.defaultCheckTimeout, max(0.1, (deadline - .now).seconds))
            var failure: String?
            var hint: String?
            do {
                try await Self.within(.seconds(limit)) { try await runner.run(check) }
            } catch let error as CheckFailure {
                failure = error.message
            } catch is CheckTimedOut {
                failure = "the check did not finish within \(SocketError.format(seconds: limit)): the program hung"
            }
            await settle(after: check, program, until: deadline, failure: &failure, hint: &hint)
            results.append(result(check, failure: failure, hint: hint))
        }
        // A batch's {dir} is shown as the submission's folder, not the private copy the program ran in.
        let shown = command.map { word in
            isolation.submission.map { word.replacingOccurrences(of: "{dir}", with: $0) } ?? word
        }
        return GradeReport(
            exercise: exercise.id, title: exercise.title, command: shown.joined(separator: " "), results: results,
            programOutput: program.process?.lastLines(10) ?? [])
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
        failure: inout String?, hint: inout String?
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
            if let message = failure {
                if !message.contains(ending) {
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

    /// A check's result, with the check's own hint unless the failure calls for another.
    private func result(_ check: Check, failure: String?, hint: String? = nil) -> CheckResult {
        CheckResult(
            name: check.name, points: failure == nil ? check.points : 0, maxPoints: check.points,
            passed: failure == nil,
            message: failure ?? "", hint: hint ?? check.hint)
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

extension Check {
    /// Whether the check stops, starts or ends the program itself, so that its end is no failure.
    var managesProgram: Bool {
        steps.contains { [.stop, .start, .expectExit, .closeInput].contains($0.action) }
    }
}
