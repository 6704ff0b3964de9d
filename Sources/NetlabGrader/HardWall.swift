import Dispatch
import Synchronization

/// A deadline enforced from outside the work it bounds: at the deadline a Dispatch timer (never a
/// Swift concurrency thread, which a runaway task may be holding) runs `onExpiry` and cancels the work,
/// and the caller gets its answer within `grace` of that, whether or not the work ever ends.
enum HardWall {
    /// How the work ended.
    enum Ending<Value: Sendable>: Sendable {
        /// It ended before the deadline.
        case finished(Result<Value, any Error>)
        /// The deadline came first; the work's own result if it ended within the grace, nil if not.
        case expired(Result<Value, any Error>?)
    }

    /// Waits for `work` until `deadline`, then calls `onExpiry` and cancels it.
    static func wait<Value: Sendable>(
        for work: Task<Value, any Error>, until deadline: ContinuousClock.Instant, grace: Duration,
        onExpiry: @escaping @Sendable () -> Void
    ) async -> Ending<Value> {
        let race = Race<Value>()
        return await withCheckedContinuation { (answer: CheckedContinuation<Ending<Value>, Never>) in
            race.start(answer)
            Task { race.finish(await work.result) }
            let left = max(.zero, deadline - ContinuousClock.now)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(left.seconds * 1e9))) {
                guard race.expire() else { return }
                onExpiry()
                work.cancel()
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(grace.seconds * 1e9))) {
                    race.abandon()
                }
            }
        }
    }

    /// Who answers first: the work, or the deadline and then the grace.
    private final class Race<Value: Sendable>: Sendable {
        private struct State {
            var answer: CheckedContinuation<Ending<Value>, Never>?
            var hasExpired = false
        }
        private let state = Mutex(State())

        func start(_ answer: CheckedContinuation<Ending<Value>, Never>) {
            state.withLock { $0.answer = answer }
        }

        func finish(_ result: Result<Value, any Error>) {
            let (answer, hasExpired) = state.withLock { state in
                defer { state.answer = nil }
                return (state.answer, state.hasExpired)
            }
            answer?.resume(returning: hasExpired ? .expired(result) : .finished(result))
        }

        /// Marks the deadline as passed; false when the work has already answered.
        func expire() -> Bool {
            state.withLock { state in
                guard state.answer != nil else { return false }
                state.hasExpired = true
                return true
            }
        }

        func abandon() {
            state.withLock { state in
                defer { state.answer = nil }
                return state.answer
            }?.resume(returning: .expired(nil))
        }
    }
}
