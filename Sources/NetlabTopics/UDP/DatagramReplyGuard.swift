import NetlabSockets

/// Decides which datagrams a UDP server may answer, so that no datagram can start a reply loop.
///
/// UDP has no handshake: a datagram's source address is whatever its sender wrote, so one forged
/// datagram can make a server answer itself, or two servers answer each other, for ever
/// (lessons/04-udp-sockets.md). The guard refuses the sources a reply could loop through and caps
/// how fast any one source is answered; it belongs to one receive loop and is not shared.
public struct DatagramReplyGuard {
    /// Why a datagram was not answered.
    public enum Refusal: Equatable, Sendable {
        /// It comes from this server's own port (or Unix socket path): from this very socket (forged), or from
        /// a server like it, so the reply would be answered in turn.
        case ownPort
        /// It comes from port 0 or a port below 1024, where other services (echo 7, daytime 13, chargen 19,
        /// time 37) would answer the reply in turn.
        case reservedPort
        /// It comes from an unnamed Unix socket, which has no address to answer to.
        case unnamedSender
        /// It is itself a server's answer (a daytime line): answering answers would bounce between two servers.
        case looksLikeReply
        /// Its sender was already answered `repliesPerSecond` times in the last second.
        case rateLimited

        var reason: String {
            switch self {
            case .ownPort: "its source port is this server's own, so the reply would be answered in turn and loop"
            case .reservedPort:
                "its source port is below 1024, where another service could answer the reply (--answer-low-ports allows it)"
            case .unnamedSender:
                "its Unix socket has no path, so there is nowhere to answer; the client must bind its socket to a path"
            case .looksLikeReply: "it is another server's answer, and answering it would start a loop"
            case .rateLimited: "its sender is over the reply rate (--max-replies)"
            }
        }
    }

    /// The services that answer any datagram: replying to them starts a loop even when low ports are allowed.
    public static let respondingPorts: Set<Int> = [7, 13, 19, 37]
    /// The default most replies per second to one sender.
    public static let defaultRepliesPerSecond = 200
    /// How many senders' rates are remembered; a flood of forged sources cannot grow the table past it.
    static let maxTrackedSenders = 4096

    public let localPort: Int
    /// The server's own path, when it is a Unix socket.
    public let localPath: String?
    public let answersLowPorts: Bool
    public let repliesPerSecond: Int
    private var buckets: [SocketAddress: Bucket] = [:]
    private var dropped: [Refusal: (count: Int, since: ContinuousClock.Instant)] = [:]

    /// A token bucket: up to `repliesPerSecond` replies at once, refilled at that rate.
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// - Parameters:
    ///   - local: the server's own bound address.
    ///   - answersLowPorts: whether senders on ports 1-1023 (other than the responding services) are answered.
    ///   - repliesPerSecond: the most replies per second to one sender; 0 means no limit.
    public init(local: SocketAddress, answersLowPorts: Bool = false, repliesPerSecond: Int = defaultRepliesPerSecond) {
        localPort = local.port
        localPath = local.unixPath
        self.answersLowPorts = answersLowPorts
        self.repliesPerSecond = repliesPerSecond
    }

    /// Whether a datagram from `sender` may be answered now; nil when it may, else why not.
    public mutating func refusal(for sender: SocketAddress, at now: ContinuousClock.Instant = .now) -> Refusal? {
        if let path = sender.unixPath {
            // A Unix socket has a path, not a port: only this server's own path could loop.
            if path.isEmpty { return .unnamedSender }
            if path == localPath { return .ownPort }
            return takeToken(for: sender, at: now) ? nil : .rateLimited
        }
        // Any host: the same port elsewhere is most likely a server like this one (two netlab servers on the
        // course port would answer each other), and on this machine it is this very socket.
        if sender.port == localPort { return .ownPort }
        if sender.port == 0 || Self.respondingPorts.contains(sender.port) { return .reservedPort }
        if sender.port < 1024, !answersLowPorts { return .reservedPort }
        return takeToken(for: sender, at: now) ? nil : .rateLimited
    }

    /// Counts a refused datagram and returns a log line at most once a second for each reason,
    /// so a flood of refused datagrams cannot flood the log too.
    public mutating func logLine(
        for refusal: Refusal, from sender: SocketAddress, at now: ContinuousClock.Instant = .now
    ) -> String? {
        var entry = dropped[refusal] ?? (count: 0, since: now - .seconds(2))
        entry.count += 1
        guard now - entry.since >= .seconds(1) else {
            dropped[refusal] = entry
            return nil
        }
        let count = entry.count
        dropped[refusal] = (count: 0, since: now)
        let what = count == 1 ? "a datagram" : "\(count) datagrams (in the last second or more)"
        return "not answering \(what) from \(sender): \(refusal.reason)"
    }

    private mutating func takeToken(for sender: SocketAddress, at now: ContinuousClock.Instant) -> Bool {
        guard repliesPerSecond > 0 else { return true }
        let rate = Double(repliesPerSecond)
        if buckets[sender] == nil, buckets.count >= Self.maxTrackedSenders {
            // Forget the senders whose buckets are full again: they are answered at once anyway.
            buckets = buckets.filter { refilled($0.value, at: now, rate: rate) < rate }
            if buckets.count >= Self.maxTrackedSenders { buckets.removeAll() }
        }
        var bucket = buckets[sender] ?? Bucket(tokens: rate, updated: now)
        bucket.tokens = refilled(bucket, at: now, rate: rate)
        bucket.updated = now
        let allowed = bucket.tokens >= 1
        if allowed { bucket.tokens -= 1 }
        buckets[sender] = bucket
        return allowed
    }

    private func refilled(_ bucket: Bucket, at now: ContinuousClock.Instant, rate: Double) -> Double {
        return min(rate, bucket.tokens + (now - bucket.updated).seconds * rate)
    }
}
