import Foundation
import Synchronization

/// A closed-loop load generator: each connection sends a line and waits for the whole reply line
/// before sending the next. The same generator measures every server, so the ratios are fair.
struct RoundTripBenchmark: Sendable {
    let host: String
    let port: Int
    let connections: Int
    let duration: Duration
    let warmup: Duration
    let message: String

    struct Result: Sendable, Encodable {
        let connections: Int
        let seconds: Double
        let roundTrips: Int
        let roundTripsPerSecond: Double
        let p50Microseconds: Double
        let p99Microseconds: Double
        let maxMicroseconds: Double
        let errors: Int

        enum CodingKeys: String, CodingKey {
            case connections, seconds, errors
            case roundTrips = "round_trips"
            case roundTripsPerSecond = "round_trips_per_second"
            case p50Microseconds = "p50_us"
            case p99Microseconds = "p99_us"
            case maxMicroseconds = "max_us"
        }
    }

    /// What all connections measured, merged under a lock as each one finishes.
    private final class Tally: Sendable {
        let state = Mutex((histogram: LatencyHistogram(), errors: 0))
    }

    func run() async throws -> Result {
        Socket.raiseOpenFileLimit()
        let request = Array((message + "\n").utf8)
        let start = ContinuousClock.now
        let measureFrom = start + warmup
        let end = measureFrom + duration
        let tally = Tally()
        // Connect every client first, so the measured window sees them all.
        var sockets: [Socket] = []
        for _ in 0..<connections {
            sockets.append(try await Socket.connected(host: host, port: port, kind: .tcp, timeout: .seconds(10)))
        }
        await withDiscardingTaskGroup { group in
            for socket in sockets {
                group.addTask(executorPreference: socket.loop) {
                    var histogram = LatencyHistogram()
                    var buffer: [UInt8] = []
                    buffer.reserveCapacity(4096)
                    do {
                        while true {
                            let sent = ContinuousClock.now
                            if sent >= end { break }
                            try await socket.send(request)
                            buffer.removeAll(keepingCapacity: true)
                            while buffer.last != UInt8(ascii: "\n") {
                                if try await socket.receive(
                                    appendingTo: &buffer, maxBytes: 4096, deadline: end + .seconds(5)) == 0
                                {
                                    throw SocketError.peerClosed(peer: "the server")
                                }
                            }
                            let received = ContinuousClock.now
                            if sent >= measureFrom {
                                let elapsed = received - sent
                                histogram.record(
                                    microseconds: Double(elapsed.components.seconds) * 1e6
                                        + Double(elapsed.components.attoseconds) / 1e12)
                            }
                        }
                    } catch {
                        tally.state.withLock { $0.errors += 1 }
                    }
                    tally.state.withLock { $0.histogram.merge(histogram) }
                    socket.close()
                }
            }
        }
        let (histogram, errors) = tally.state.withLock { ($0.histogram, $0.errors) }
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return Result(
            connections: connections, seconds: seconds, roundTrips: histogram.total,
            roundTripsPerSecond: Double(histogram.total) / seconds, p50Microseconds: histogram.percentile(0.5),
            p99Microseconds: histogram.percentile(0.99), maxMicroseconds: histogram.maxMicroseconds, errors: errors)
    }
}
