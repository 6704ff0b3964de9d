import Testing

/// Thrown when a test step takes longer than it may.
struct TestTimeout: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "the step did not finish within \(seconds) s" }
}

/// Runs `body`, failing with `TestTimeout` if it takes longer than `seconds`: no test waits forever.
func withTimeout<T: Sendable>(_ seconds: Double = 10, _ body: @escaping @Sendable () async throws -> T) async throws
    -> T
{
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            throw TestTimeout(seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Waits (polling, bounded) until what `read` returns holds `text`: a program's output, a server's log.
func waitFor(_ text: String, in read: () -> String, within seconds: Double = 10) async throws {
    try await waitUntil(within: seconds) { read().contains(text) }
}

/// Waits (polling, bounded) until `condition` holds.
func waitUntil(within seconds: Double = 10, _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while try !condition() {
        if ContinuousClock.now > deadline { throw TestTimeout(seconds: seconds) }
        try await Task.sleep(for: .milliseconds(10))
    }
}
