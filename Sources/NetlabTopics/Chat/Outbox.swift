import Synchronization

/// The lines waiting to be sent to one chat client, never more than `limit` bytes.
///
/// Senders push without waiting; the client's own writer task takes everything queued in one go.
/// Above `highWater` the outbox asks senders to wait (`waitForRoom`): a fast sender is slowed to its
/// readers' pace instead of getting them disconnected. A client that does not read at all still fills
/// it, and `push` then says so instead of growing without bound.
final class Outbox: Sendable {
    let limit: Int
    /// Queued bytes above which a sender should wait; it may go on once they are at `highWater / 2`.
    let highWater: Int
    private let state = Mutex(State())

    private struct State {
        var pending: [UInt8] = []
        /// Bytes the writer took and is still sending: queued until its send returns.
        var inFlight = 0
        /// When the writer last finished a send or started one after being idle: the client's reading progress.
        var lastProgress = ContinuousClock.now
        var writer: CheckedContinuation<Void, Never>?
        /// Senders waiting for the queue to fall to `highWater / 2`, by ticket.
        var roomWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextTicket = 0
        var isClosed = false

        var queued: Int { pending.count + inFlight }
    }

    init(limit: Int, highWater: Int? = nil) {
        self.limit = limit
        self.highWater = min(highWater ?? limit / 4, limit)
    }

    /// Queues bytes for the client; false when that would pass the limit (nothing is queued then).
    func push(_ bytes: [UInt8]) -> Bool {
        let (accepted, writer) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            if state.isClosed { return (true, nil) }
            if state.queued + bytes.count > limit { return (false, nil) }
            state.pending += bytes
            defer { state.writer = nil }
            return (true, state.writer)
        }
        writer?.resume()
        return accepted
    }

    /// Whether senders should wait for this client: more than `highWater` bytes are queued for it.
    var isAboveHighWater: Bool { state.withLock { $0.queued > highWater } }

    /// Everything queued, waiting for something if nothing is; nil once closed. Calling it again means
    /// the previous bytes were sent: the client is reading.
    ///
    /// A woken writer takes what is queued when it runs, not when it was woken: the lines that other
    /// clients' relays queued meanwhile leave in the same send(2).
    func next() async -> [UInt8]? {
        let waiters = state.withLock { state in
            state.inFlight = 0
            state.lastProgress = .now
            return takeRoomWaiters(&state)
        }
        waiters.forEach { $0.resume() }
        while true {
            let ready: [UInt8]?? = state.withLock { state in
                if !state.pending.isEmpty {
                    state.inFlight = state.pending.count
                    state.lastProgress = .now  // an idle writer was not stalled: the clock starts with this send
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

    /// Waits until at most `highWater / 2` bytes are queued, or the outbox closes: true. False when the
    /// client made no progress at all (finished no send) for `stallTimeout`: it is not reading.
    func waitForRoom(stallTimeout: Duration) async -> Bool {
        while true {
            let (hasRoom, stalledFor) = state.withLock { state in
                (state.isClosed || state.queued <= highWater / 2, ContinuousClock.now - state.lastProgress)
            }
            if hasRoom { return true }
            if stalledFor >= stallTimeout { return false }
            // Woken by the writer's progress, or when the stall time would be up.
            let ticket = state.withLock { state in
                defer { state.nextTicket += 1 }
                return state.nextTicket
            }
            let alarm = Task { [self] in
                try await Task.sleep(for: stallTimeout - stalledFor)
                state.withLock { $0.roomWaiters.removeValue(forKey: ticket) }?.resume()
            }
            await withCheckedContinuation { continuation in
                let isReady = state.withLock { state in
                    if state.isClosed || state.queued <= highWater / 2 { return true }
                    state.roomWaiters[ticket] = continuation
                    return false
                }
                if isReady { continuation.resume() }
            }
            alarm.cancel()
        }
    }

    /// Ends the outbox: the writer's `next` returns nil once what is queued has been taken, and waiting
    /// senders go on.
    func close() {
        let (writer, waiters) = state.withLock { state in
            state.isClosed = true
            defer {
                state.writer = nil
                state.roomWaiters = [:]
            }
            return (state.writer, Array(state.roomWaiters.values))
        }
        writer?.resume()
        waiters.forEach { $0.resume() }
    }

    private func takeRoomWaiters(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        guard state.queued <= highWater / 2, !state.roomWaiters.isEmpty else { return [] }
        defer { state.roomWaiters = [:] }
        return Array(state.roomWaiters.values)
    }
}
