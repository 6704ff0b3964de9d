import Synchronization

/// The lines waiting to be sent to one chat client, never more than `limit` bytes.
///
/// Senders push without waiting; the client's own writer task takes everything queued in one go.
/// A client that does not read fills its outbox, and `push` then says so instead of growing without bound.
final class Outbox: Sendable {
    let limit: Int
    private let state = Mutex(State())

    private struct State {
        var pending: [UInt8] = []
        var writer: CheckedContinuation<Void, Never>?
        var isClosed = false
    }

    init(limit: Int) { self.limit = limit }

    /// Queues bytes for the client; false when that would pass the limit (nothing is queued then).
    func push(_ bytes: [UInt8]) -> Bool {
        let (accepted, writer) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            if state.isClosed { return (true, nil) }
            if state.pending.count + bytes.count > limit { return (false, nil) }
            state.pending += bytes
            defer { state.writer = nil }
            return (true, state.writer)
        }
        writer?.resume()
        return accepted
    }

    /// Everything queued, waiting for something if nothing is; nil once closed.
    ///
    /// A woken writer takes what is queued when it runs, not when it was woken: the lines that other
    /// clients' relays queued meanwhile leave in the same send(2).
    func next() async -> [UInt8]? {
        while true {
            let ready: [UInt8]?? = state.withLock { state in
                if !state.pending.isEmpty {
                    defer { state.pending.removeAll(keepingCapacity: true) }
                    return .some(state.pending)
                }
                return state.isClosed ? .some(nil) : nil
            }
            if let ready { return ready }
            await withCheckedContinuation { continuation in
                let isReady = state.withLock { state in
                    if !state.pending.isEmpty || state.isClosed { return true }
                    state.writer = continuation
                    return false
                }
                if isReady { continuation.resume() }
            }
        }
    }

    /// Ends the outbox: the writer's `next` returns nil once what is queued has been taken.
    func close() {
        let writer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.isClosed = true
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume()
    }
}
