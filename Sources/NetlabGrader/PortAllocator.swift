import Glibc
import NetlabSockets
import NetlabTopics
import Synchronization

/// Hands out loopback ports for programs under test: free for TCP and UDP, never the same one twice.
///
/// Ports come from below the kernel's ephemeral range (32768 and up), so an outgoing connection can
/// never take a port between the moment it is handed out and the moment the program binds it.
enum PortAllocator {
    private static let handedOut = Mutex<Set<Int>>([])
    static let range = 20_000..<32_768

    static func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: range)
            guard handedOut.withLock({ !$0.contains(port) }) else { continue }
            guard let tcp = try? Socket.listening(host: "127.0.0.1", port: port) else { continue }
            let udp = try? Socket.boundUDP(host: "127.0.0.1", port: port)
            tcp.close()
            udp?.close()
            if udp != nil, handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
        throw RuntimeError("cannot find a free port on 127.0.0.1 between 20000 and 32767 — too many programs running?")
    }
}
