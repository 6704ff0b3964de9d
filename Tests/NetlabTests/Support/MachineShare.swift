import Testing

/// How many things of one kind may run at once; the others wait their turn, first come first served.
actor Slots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = count }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if free > 0 {
            free -= 1
        } else {
            await withCheckedContinuation { waiting.append($0) }  // the slot is handed over, not freed
        }
        defer {
            if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}

/// At most a few grades at once: each runs Python programs with time limits, and a 2-core machine
/// running dozens at a time would make correct programs miss them.
enum GradeSlots {
    static let shared = Slots(count: 3)
}

/// A share of the machine for each test: at most `MachineShare.width` tests run at once.
///
/// Swift Testing starts every test at once. Most of netlab's start servers, Python peers or graders with
/// time limits, and a 2-core machine running two hundred of them at the start of a run misses limits that
/// an idle one keeps by seconds. Every suite carries this trait, so plain `swift test` paces itself.
struct MachineShare: SuiteTrait, TestTrait, TestScoping {
    /// Tests at once: the run takes no longer than with every test started together (about 4 minutes).
    static let width = 6
    private static let slots = Slots(count: width)

    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if let reason = TestSubset.reasonToLeaveOut(test) { try Test.cancel(Comment(rawValue: reason)) }
        try await Self.slots.run(function)
    }
}

extension Trait where Self == MachineShare {
    /// Runs each test of the suite in a share of the machine: see `MachineShare`.
    static var machineShare: Self { MachineShare() }
}

/// The tests that time netlab against a limit never run beside the determinism suite's sixteen grades.
///
/// A timed test waits for the grades already running to end (a few seconds) and holds new ones back
/// until it ends; the determinism suite grades on in the gaps. Its verdicts must not depend on the load,
/// but a time limit measured on a machine running sixteen grades says nothing about netlab.
actor TimedTurns {
    static let shared = TimedTurns()

    private var timedRunning = 0
    private var timedWanting = 0
    private var gradesRunning = 0
    private var timedWaiting: [CheckedContinuation<Void, Never>] = []
    private var gradesWaiting: [CheckedContinuation<Void, Never>] = []

    /// Runs a test body that measures time, alone with respect to heavy grades.
    func timed<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        timedWanting += 1
        if gradesRunning > 0 { await withCheckedContinuation { timedWaiting.append($0) } }
        timedWanting -= 1
        timedRunning += 1
        defer {
            timedRunning -= 1
            wakeGrades()
        }
        return try await body()
    }

    /// Runs one of the determinism suite's grades, when no timed test runs or waits.
    func heavy<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        while timedRunning > 0 || timedWanting > 0 { await withCheckedContinuation { gradesWaiting.append($0) } }
        gradesRunning += 1
        defer {
            gradesRunning -= 1
            if gradesRunning == 0 {
                for waiter in timedWaiting { waiter.resume() }
                timedWaiting.removeAll()
            }
        }
        return try await body()
    }

    private func wakeGrades() {
        guard timedRunning == 0, timedWanting == 0 else { return }
        for waiter in gradesWaiting { waiter.resume() }
        gradesWaiting.removeAll()
    }
}

/// Runs `body`, a test that measures netlab's time against a limit, apart from the heavy grades.
func timed<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    try await TimedTurns.shared.timed(body)
}
