import CNetlabLinux
import Glibc
import Synchronization

/// A few event loops, one per core, that share the connections of a server between them.
public final class EventLoopGroup: Sendable {
    /// The loops of the process: one per core it may run on (`taskset` may allow fewer than the machine
    /// has), or `NETLAB_LOOPS` of them.
    public static let shared = EventLoopGroup(
        count: getenv("NETLAB_LOOPS").flatMap { Int(String(cString: $0)) } ?? Int(cnetlab_usable_cpu_count()))

    public let loops: [EventLoop]
    private let nextIndex = Atomic<Int>(0)

    public init(count: Int) {
        loops = (0..<max(1, count)).map { EventLoop(name: "netlab-loop-\($0)") }
    }

    /// The next loop, round robin, for a new connection.
    public func next() -> EventLoop {
        loops[nextIndex.add(1, ordering: .relaxed).oldValue % loops.count]
    }
}
