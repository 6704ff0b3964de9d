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
        var writer: CheckedContinuation<[UInt8]?, Never>?
        var isClosed = false
    }

    init(limit: Int) { self.limit = limit }

    /// Queues bytes for the client; false when that would pass the limit (nothing is queued then).
    func push(_ bytes: [UInt8]) -> Bool {
        let (accepted, writer, handOff) = state.withLock {
            state -> (Bool, CheckedContinuation<[UInt8]?, Never>?, [UInt8]) in
            if state.isClosed { return (true, nil, []) }
            if state.pending.count + bytes.count > limit { return (false, nil, []) }
            if let writer = state.writer {
                state.writer = nil
                return (true, writer, bytes)
            }
            state.pending += bytes
            return (true, nil, [])
        }
        writer?.resume(returning: handOff)
        return accepted
    }

    /// Everything queued, waiting for something if nothing is; nil once closed.
    func next() async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            let ready: [UInt8]?? = state.withLock { state in
                if !state.pending.isEmpty {
                    defer { state.pending.removeAll(keepingCapacity: true) }
                    return .some(state.pending)
                }
                if state.isClosed { return .some(nil) }
                state.writer = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Ends the outbox: the writer's `next` returns nil once what is queued has been taken.
    func close() {
        let writer = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
            state.isClosed = true
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume(returning: nil)
    }
}
